#pragma once
// Core-internal (LibTorch types): the CPU fp32 rewrite of a private model copy's recurrent layers for
// attribution (issue 21 step 1). Only core's own .cpp files include this header.
#include <torch/script.h>

#include <string>
#include <vector>

namespace neurolens::detail {

struct RecurrentRewrite {
  int rewritten = 0;               // aten::gru / aten::lstm calls now run as scripted loops of 1x1 convolutions
  int kept = 0;                    // recurrent calls left as they were (packed sequences, plain tanh/relu RNNs)
  std::vector<std::string> notes;  // what was rewritten or kept and why (debug notes)
};

// Replaces every aten::gru and aten::lstm call on padded input (`.input` overloads: any layer count,
// bidirectional or not, batch_first or not, with or without biases, LSTM projections) in every method
// graph of `module` by an inlined TorchScript loop whose matrix products are 1x1 convolutions: the same
// products and gate formulas as ATen's CPU cells, but LibTorch runs fp32 convolutions (forward and input
// gradient) on its bundled oneDNN kernels, where aten::gru/aten::lstm run their matrix products on the
// system BLAS (netlib's reference BLAS on Debian). Results differ by summation order only.
//
// What is not recognised stays as it was: packed sequences (`.data` overloads), aten::rnn_tanh/rnn_relu.
// At run time the inlined code calls the original operator itself for what it does not cover: training
// with dropout, input that is not 3-D, non-float32 or non-CPU tensors, shapes that do not fit the weights.
// Call on a private copy only (clone(inplace) before: the user's module must keep its graphs), before its
// first run. Throws c10::Error if compiling the loops fails (callers keep the graphs they have).
RecurrentRewrite rewriteRecurrentAsConvolution(torch::jit::Module& module);

}  // namespace neurolens::detail
