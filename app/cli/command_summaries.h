#pragma once
// Name and one-line help of the commands that run in the compute module (LibTorch).
// The commands register themselves with these, and the launcher lists the same lines
// without loading the module: one place to change a description.

namespace neurolens::cli {

struct CommandSummary {
  const char* name;
  const char* help;
};

inline constexpr CommandSummary kVersionSummary{"version", "Versions and the compute devices LibTorch sees"};
inline constexpr CommandSummary kInferSummary{"infer", "A model's latents (and rates) for every trial of a recording"};
inline constexpr CommandSummary kAttributeSummary{
    "attribute", "Attribution of each latent (summed over target bins) to every input bin and unit"};
inline constexpr CommandSummary kEvaluateSummary{
    "evaluate", "Bits per spike (and PSTH R2) of a model's rates, as the Neural Latents Benchmark computes them"};
inline constexpr CommandSummary kProbeSummary{
    "probe", "Cross-validated linear read-out of a behavioural or trial variable (ridge / logistic regression)"};
inline constexpr CommandSummary kLinkSummary{
    "link", "Which unit types drive which latents (attribution profiles, sign/basis-free)"};
inline constexpr CommandSummary kAlignSummary{
    "align", "How similar two recordings or models are: CCA, held-out CCA, Procrustes, consistency, with nulls"};
inline constexpr CommandSummary kLesionSummary{
    "lesion", "In-silico lesions of unit groups, each effect against random lesions of the same size"};
inline constexpr CommandSummary kFigureSummary{"figure",
                                               "Publication figures (PNG, SVG, PDF) and animations, headless"};

}  // namespace neurolens::cli
