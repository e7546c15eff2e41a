// aten::gru / aten::lstm on a private model copy as TorchScript loops of 1x1 convolutions (see the header).
//
// The loops follow ATen's CPU implementation (aten/src/ATen/native/RNN.cpp, LibTorch 1.13) step for step:
// the input projection of all time steps at once, then per step the hidden projection and the cell's gate
// formulas in the same order, layer after layer, the reverse direction on the reversed sequence. Only the
// matrix products change: a 1x1 convolution of [rows, in, 1, 1] sums the same products in another order.
//
// Two details matter for speed under autograd: the per-step slices of the input projection come from one
// unbind (its backward stacks the step gradients once; indexing gi[t] would add a zero-filled copy of the
// whole projection per step), and the gates come from chunk (one concatenation in backward, not a
// zero-filled slice per gate).
#include "detail/recurrent_as_convolution.h"

#include <torch/csrc/jit/passes/inliner.h>
#include <torch/jit.h>

#include <memory>
#include <unordered_set>

namespace neurolens::detail {

namespace {

constexpr const char* kRecurrentSource = R"JIT(
def nl_conv_linear(x: Tensor, weight4: Tensor, bias: Optional[Tensor]) -> Tensor:
    # x [rows, in] @ weight^T + bias as a 1x1 convolution (weight4 [out, in, 1, 1]): oneDNN, not the system BLAS
    out = torch.conv2d(x.reshape(x.size(0), x.size(1), 1, 1), weight4, bias)
    return out.reshape(x.size(0), weight4.size(0))

def nl_as_conv_weight(weight: Tensor) -> Tensor:
    return weight.reshape(weight.size(0), weight.size(1), 1, 1)

def nl_cpu_float32(t: Tensor) -> bool:
    return t.is_cpu and t.is_floating_point() and t.element_size() == 4

def nl_supported(input: Tensor, hidden: Tensor, params: List[Tensor], per: int, layers: int, dirs: int,
                 dropout: float, train: bool) -> bool:
    if train and dropout > 0.0:
        return False
    if input.dim() != 3 or input.size(0) == 0 or input.size(1) == 0 or not nl_cpu_float32(input):
        return False
    if hidden.dim() != 3 or hidden.size(0) != layers * dirs or not nl_cpu_float32(hidden):
        return False
    if len(params) != layers * dirs * per:
        return False
    for p in params:
        if not nl_cpu_float32(p):
            return False
    return True

def nl_gru(input: Tensor, hx: Tensor, params: List[Tensor], has_biases: bool, num_layers: int,
           dropout: float, train: bool, bidirectional: bool, batch_first: bool) -> Tuple[Tensor, Tensor]:
    dirs = 2 if bidirectional else 1
    per = 4 if has_biases else 2
    if not nl_supported(input, hx, params, per, num_layers, dirs, dropout, train):
        return torch.gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    x = input.transpose(0, 1) if batch_first else input
    steps = x.size(0)
    batch = x.size(1)
    if hx.size(1) != batch:
        return torch.gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    finals: List[Tensor] = []
    for layer in range(num_layers):
        outputs: List[Tensor] = []
        for d in range(dirs):
            first = (layer * dirs + d) * per
            w_ih = params[first]
            w_hh = params[first + 1]
            b_ih: Optional[Tensor] = None
            b_hh: Optional[Tensor] = None
            if has_biases:
                b_ih = params[first + 2]
                b_hh = params[first + 3]
            hidden = w_hh.size(1)
            if w_ih.size(1) != x.size(2) or w_ih.size(0) != 3 * hidden or hx.size(2) != hidden:
                return torch.gru(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                                 batch_first)
            w_hh4 = nl_as_conv_weight(w_hh)
            gi = nl_conv_linear(x.reshape(steps * batch, x.size(2)), nl_as_conv_weight(w_ih), b_ih)
            gis = gi.reshape(steps, batch, 3 * hidden).unbind(0)
            h = hx[layer * dirs + d]
            out: List[Tensor] = []
            for s in range(steps):
                t = steps - 1 - s if d == 1 else s
                ig = gis[t].chunk(3, 1)
                hg = nl_conv_linear(h, w_hh4, b_hh).chunk(3, 1)
                r = torch.sigmoid(hg[0] + ig[0])
                z = torch.sigmoid(hg[1] + ig[1])
                n = torch.tanh(ig[2] + hg[2] * r)
                h = (h - n) * z + n
                out.append(h)
            if d == 1:
                out.reverse()
            outputs.append(torch.stack(out, 0))
            finals.append(h)
        x = torch.cat(outputs, 2) if dirs == 2 else outputs[0]
    output = x.transpose(0, 1) if batch_first else x
    return output, torch.stack(finals, 0)

def nl_lstm(input: Tensor, hx: List[Tensor], params: List[Tensor], has_biases: bool, num_layers: int,
            dropout: float, train: bool, bidirectional: bool, batch_first: bool) -> Tuple[Tensor, Tensor, Tensor]:
    dirs = 2 if bidirectional else 1
    base = 4 if has_biases else 2
    # with projections (proj_size > 0) each layer and direction has one more weight, w_hr, last
    projected = len(params) == num_layers * dirs * (base + 1)
    per = base + 1 if projected else base
    if len(hx) != 2 or not nl_supported(input, hx[0], params, per, num_layers, dirs, dropout, train):
        return torch.lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    x = input.transpose(0, 1) if batch_first else input
    steps = x.size(0)
    batch = x.size(1)
    h0 = hx[0]
    c0 = hx[1]
    if h0.size(1) != batch or c0.dim() != 3 or c0.size(0) != h0.size(0) or c0.size(1) != batch:
        return torch.lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first)
    finals_h: List[Tensor] = []
    finals_c: List[Tensor] = []
    for layer in range(num_layers):
        outputs: List[Tensor] = []
        for d in range(dirs):
            first = (layer * dirs + d) * per
            w_ih = params[first]
            w_hh = params[first + 1]
            b_ih: Optional[Tensor] = None
            b_hh: Optional[Tensor] = None
            if has_biases:
                b_ih = params[first + 2]
                b_hh = params[first + 3]
            w_hr4: Optional[Tensor] = None
            if projected:
                w_hr4 = nl_as_conv_weight(params[first + per - 1])
            cells = c0.size(2)
            if w_ih.size(1) != x.size(2) or w_ih.size(0) != 4 * cells or w_hh.size(1) != h0.size(2):
                return torch.lstm(input, hx, params, has_biases, num_layers, dropout, train, bidirectional,
                                  batch_first)
            w_hh4 = nl_as_conv_weight(w_hh)
            gi = nl_conv_linear(x.reshape(steps * batch, x.size(2)), nl_as_conv_weight(w_ih), b_ih)
            gis = gi.reshape(steps, batch, 4 * cells).unbind(0)
            h = h0[layer * dirs + d]
            c = c0[layer * dirs + d]
            out: List[Tensor] = []
            for s in range(steps):
                t = steps - 1 - s if d == 1 else s
                gates = (nl_conv_linear(h, w_hh4, b_hh) + gis[t]).chunk(4, 1)
                i = torch.sigmoid(gates[0])
                f = torch.sigmoid(gates[1])
                g = torch.tanh(gates[2])
                o = torch.sigmoid(gates[3])
                c = f * c + i * g
                h = o * torch.tanh(c)
                if w_hr4 is not None:
                    h = nl_conv_linear(h, w_hr4, None)
                out.append(h)
            if d == 1:
                out.reverse()
            outputs.append(torch.stack(out, 0))
            finals_h.append(h)
            finals_c.append(c)
        x = torch.cat(outputs, 2) if dirs == 2 else outputs[0]
    output = x.transpose(0, 1) if batch_first else x
    return output, torch.stack(finals_h, 0), torch.stack(finals_c, 0)
)JIT";

constexpr const char* kGruSchema =
    "aten::gru.input(Tensor input, Tensor hx, Tensor[] params, bool has_biases, int num_layers, float dropout, "
    "bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor)";
constexpr const char* kLstmSchema =
    "aten::lstm.input(Tensor input, Tensor[] hx, Tensor[] params, bool has_biases, int num_layers, float dropout, "
    "bool train, bool bidirectional, bool batch_first) -> (Tensor, Tensor, Tensor)";

bool isRecurrent(const torch::jit::Node* node) {
  const auto kind = node->kind();
  return kind == torch::jit::aten::gru || kind == torch::jit::aten::lstm || kind == torch::jit::aten::rnn_tanh ||
         kind == torch::jit::aten::rnn_relu;
}

void collectRecurrent(torch::jit::Block* block, std::vector<torch::jit::Node*>& found) {
  for (torch::jit::Node* node : block->nodes()) {
    if (isRecurrent(node)) found.push_back(node);
    for (torch::jit::Block* inner : node->blocks()) collectRecurrent(inner, found);
  }
}

std::shared_ptr<torch::jit::Graph> inlinedGraph(const torch::jit::CompilationUnit& unit, const std::string& name) {
  std::shared_ptr<torch::jit::Graph> graph = torch::jit::toGraphFunction(unit.get_function(name)).graph()->copy();
  torch::jit::Inline(*graph);
  return graph;
}

// Replaces `node` by the callee's body on the same inputs; the callee returns a tuple of the node's outputs.
void replaceByGraph(torch::jit::Graph& graph, torch::jit::Node* node, torch::jit::Graph& callee) {
  const torch::jit::WithInsertPoint insertPoint(node);
  const std::vector<torch::jit::Value*> returned = torch::jit::insertGraph(graph, callee, node->inputs());
  const at::ArrayRef<torch::jit::Value*> outputs = torch::jit::createTupleUnpack(returned.at(0));
  for (std::size_t i = 0; i < node->outputs().size(); ++i) {
    outputs.at(i)->setType(node->output(i)->type());
    node->output(i)->replaceAllUsesWith(outputs.at(i));
  }
  node->destroy();
}

}  // namespace

RecurrentRewrite rewriteRecurrentAsConvolution(torch::jit::Module& module) {
  RecurrentRewrite result;
  // Every method graph once (a submodule type's methods may be shared by several submodules).
  std::vector<std::shared_ptr<torch::jit::Graph>> graphs;
  std::unordered_set<const torch::jit::Graph*> seen;
  for (const torch::jit::Module& sub : module.modules())
    for (const torch::jit::Method& method : sub.get_methods()) {
      std::shared_ptr<torch::jit::Graph> graph = torch::jit::toGraphFunction(method.function()).graph();
      if (seen.insert(graph.get()).second) graphs.push_back(graph);
    }
  std::vector<std::pair<std::shared_ptr<torch::jit::Graph>, std::vector<torch::jit::Node*>>> work;
  for (const auto& graph : graphs) {
    std::vector<torch::jit::Node*> found;
    collectRecurrent(graph->block(), found);
    if (!found.empty()) work.emplace_back(graph, std::move(found));
  }
  if (work.empty()) return result;

  // Compiled only when there is something to rewrite; a failure throws before any graph is touched.
  const std::shared_ptr<torch::jit::CompilationUnit> unit = torch::jit::compile(kRecurrentSource);
  const std::shared_ptr<torch::jit::Graph> gru = inlinedGraph(*unit, "nl_gru");
  const std::shared_ptr<torch::jit::Graph> lstm = inlinedGraph(*unit, "nl_lstm");
  int keptPacked = 0;
  int keptPlain = 0;
  for (auto& [graph, nodes] : work)
    for (torch::jit::Node* node : nodes) {
      if (node->matches(kGruSchema)) {
        replaceByGraph(*graph, node, *gru);
        ++result.rewritten;
      } else if (node->matches(kLstmSchema)) {
        replaceByGraph(*graph, node, *lstm);
        ++result.rewritten;
      } else if (node->kind() == torch::jit::aten::gru || node->kind() == torch::jit::aten::lstm) {
        ++keptPacked;
      } else {
        ++keptPlain;
      }
    }
  result.kept = keptPacked + keptPlain;
  result.notes.push_back(std::to_string(result.rewritten) +
                         " recurrent call(s) (aten::gru/aten::lstm on padded input) run as scripted loops of 1x1 "
                         "convolutions (oneDNN)");
  if (keptPacked > 0)
    result.notes.push_back(std::to_string(keptPacked) +
                           " aten::gru/aten::lstm call(s) on packed sequences kept as they were (system BLAS); "
                           "nn.GRU and nn.LSTM script one such overload that padded input never calls");
  if (keptPlain > 0)
    result.notes.push_back(std::to_string(keptPlain) +
                           " aten::rnn_tanh/aten::rnn_relu call(s) kept as they were (not recognised: system BLAS)");
  return result;
}

}  // namespace neurolens::detail
