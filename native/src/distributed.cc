// torch.distributed's c10d engine for data-parallel training on CPU: a TCPStore rendezvous (as torchrun's
// MASTER_ADDR/MASTER_PORT) and a Gloo process group with allreduce, broadcast and barrier. Every call that waits
// for other processes runs on a libuv worker thread and returns a Promise, so the event loop (signals, the
// launcher's pipes) stays responsive, and every wait has a timeout: a dead peer is an error, never a hang.
#include <napi.h>

#ifndef USE_C10D_GLOO
// Built without the Gloo headers (Debian's libgloo-dev, or a libtorch that ships them): every call says so.
namespace medattn {
void registerDistributed(Napi::Env env, Napi::Object exports) {
  auto missing = [](const Napi::CallbackInfo& info) -> Napi::Value {
    throw Napi::Error::New(info.Env(),
                           "torch.distributed: this addon was built without Gloo (install libgloo-dev and rebuild)");
  };
  for (const char* name :
       {"processGroupCreate", "allreduceSum", "broadcast", "barrier", "processGroupDestroy", "syncBatchNorm"})
    exports.Set(name, Napi::Function::New(env, missing, name));
}
}  // namespace medattn
#else

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <unordered_map>
#include "handle.h"

namespace medattn {

namespace {

using Group = c10::intrusive_ptr<c10d::ProcessGroupGloo>;

struct GroupHolder {
  Group group;
  int rank = 0;
  int size = 1;
};

// Groups that synchronised BatchNorm's saved autograd state refers to (by address: an IValue cannot hold a
// ProcessGroupGloo); removed when the group is destroyed, so a backward after that is an error, not a crash.
std::mutex liveGroupsMutex;
std::unordered_map<int64_t, Group> liveGroups;

int64_t rememberGroup(const Group& group) {
  std::lock_guard<std::mutex> lock(liveGroupsMutex);
  auto key = reinterpret_cast<int64_t>(group.get());
  liveGroups.emplace(key, group);
  return key;
}

Group findGroup(int64_t key) {
  std::lock_guard<std::mutex> lock(liveGroupsMutex);
  auto it = liveGroups.find(key);
  if (it == liveGroups.end()) throw std::runtime_error("the process group was destroyed before backward");
  return it->second;
}

void forgetGroup(const Group& group) {
  std::lock_guard<std::mutex> lock(liveGroupsMutex);
  liveGroups.erase(reinterpret_cast<int64_t>(group.get()));
}

// Sums `t` over the ranks in place, blocking up to `timeout` (used inside forward/backward, which are synchronous).
void allreduceNow(const Group& group, at::Tensor& t, std::chrono::milliseconds timeout) {
  std::vector<at::Tensor> one{t};
  group->allreduce(one)->wait(timeout);
}

// Synchronised BatchNorm (PyTorch's SyncBatchNorm, Ioffe & Szegedy 2015 with statistics over every rank's batch):
// forward normalises with the mean and variance of all ranks' samples (one allreduce of [sum, sum of squares,
// count]); backward all-reduces the two per-channel sums the input gradient needs, so each rank's input gradient
// is that of the sum of all ranks' losses. weight/bias gradients stay local (DataParallel averages them).
struct SyncBatchNormFunction : public torch::autograd::Function<SyncBatchNormFunction> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, const at::Tensor& weight,
                            const at::Tensor& bias, Group group, at::Tensor runningMean, at::Tensor runningVar,
                            double momentum, double eps, std::chrono::milliseconds timeout) {
    const int64_t channels = x.size(1);
    std::vector<int64_t> reduceDims{0};
    for (int64_t d = 2; d < x.dim(); ++d) reduceDims.push_back(d);
    std::vector<int64_t> shape(x.dim(), 1);
    shape[1] = channels;
    // Statistics in float64: sum-of-squares cancellation in float32 would cost digits on large batches.
    auto xd = x.to(at::kDouble);
    auto stats = at::cat({xd.sum(reduceDims), (xd * xd).sum(reduceDims),
                          at::full({1}, static_cast<double>(x.numel() / channels), xd.options())});
    allreduceNow(group, stats, timeout);
    const double count = stats[2 * channels].item<double>();
    auto mean = stats.slice(0, 0, channels) / count;
    auto var = (stats.slice(0, channels, 2 * channels) / count - mean * mean).clamp_min(0);
    if (runningMean.defined()) {
      at::NoGradGuard noGrad;
      runningMean.mul_(1 - momentum).add_(mean.to(runningMean.scalar_type()), momentum);
      runningVar.mul_(1 - momentum).add_((var * (count / std::max(count - 1, 1.0))).to(runningVar.scalar_type()),
                                         momentum);
    }
    auto meanX = mean.to(x.scalar_type()).view(shape);
    auto invstd = (var + eps).rsqrt().to(x.scalar_type()).view(shape);
    auto xhat = (x - meanX) * invstd;
    ctx->save_for_backward({xhat, invstd, weight});
    ctx->saved_data["count"] = count;
    ctx->saved_data["timeout"] = static_cast<int64_t>(timeout.count());
    ctx->saved_data["group"] = rememberGroup(group);
    auto y = xhat;
    if (weight.defined()) y = y * weight.view(shape);
    if (bias.defined()) y = y + bias.view(shape);
    return y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto xhat = saved[0], invstd = saved[1], weight = saved[2];
    auto dy = grads[0];
    const int64_t channels = xhat.size(1);
    std::vector<int64_t> reduceDims{0};
    for (int64_t d = 2; d < xhat.dim(); ++d) reduceDims.push_back(d);
    std::vector<int64_t> shape(xhat.dim(), 1);
    shape[1] = channels;
    auto sumDy = dy.sum(reduceDims);
    auto sumDyXhat = (dy * xhat).sum(reduceDims);
    auto totals = at::cat({sumDy, sumDyXhat}).to(at::kDouble);
    auto group = findGroup(ctx->saved_data["group"].toInt());
    allreduceNow(group, totals, std::chrono::milliseconds(ctx->saved_data["timeout"].toInt()));
    const double count = ctx->saved_data["count"].toDouble();
    auto meanDy = (totals.slice(0, 0, channels) / count).to(dy.scalar_type()).view(shape);
    auto meanDyXhat = (totals.slice(0, channels, 2 * channels) / count).to(dy.scalar_type()).view(shape);
    auto scale = weight.defined() ? invstd * weight.view(shape) : invstd;
    auto dx = scale * (dy - meanDy - xhat * meanDyXhat);
    at::Tensor dWeight = weight.defined() ? sumDyXhat : at::Tensor();
    at::Tensor dBias = weight.defined() ? sumDy : at::Tensor();
    return {dx, dWeight, dBias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

std::string firstLine(const std::exception& e) {
  std::string s = e.what();
  if (auto* ce = dynamic_cast<const c10::Error*>(&e)) s = ce->what_without_backtrace();
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

GroupHolder* unwrapGroup(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsExternal()) throw Napi::TypeError::New(env, std::string(what) + ": expects a process group");
  auto* holder = v.As<Napi::External<GroupHolder>>().Data();
  if (!holder->group) throw Napi::Error::New(env, std::string(what) + ": the process group was destroyed");
  return holder;
}

std::vector<at::Tensor> unwrapTensors(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw Napi::TypeError::New(env, std::string(what) + ": expects an array of tensors");
  auto arr = v.As<Napi::Array>();
  std::vector<at::Tensor> tensors;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    auto& t = unwrapTensor(env, arr.Get(i), what);
    if (!t.is_contiguous()) throw Napi::TypeError::New(env, std::string(what) + ": tensors must be contiguous");
    tensors.push_back(t);
  }
  return tensors;
}

std::chrono::milliseconds toTimeout(const Napi::Value& v) {
  return std::chrono::milliseconds(v.IsNumber() ? v.As<Napi::Number>().Int64Value() : 300000);
}

// Runs `body` on a worker thread; resolves the promise with `result` (or undefined), rejects with the first line
// of any exception, prefixed by `what`.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, std::string what, std::function<void()> body)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), what_(std::move(what)),
        body_(std::move(body)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  std::function<Napi::Value(Napi::Env)> result;

 protected:
  void Execute() override {
    try {
      body_();
    } catch (const std::exception& e) {
      SetError(what_ + ": " + firstLine(e));
    }
  }
  void OnOK() override { deferred_.Resolve(result ? result(Env()) : Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string what_;
  std::function<void()> body_;
};

Napi::Value queue(PromiseWorker* worker) {
  auto promise = worker->promise();
  worker->Queue();
  return promise;
}

// The network device Gloo binds: GLOO_SOCKET_IFNAME as in PyTorch, loopback for a single-machine rendezvous,
// else this machine's hostname.
std::shared_ptr<::gloo::transport::Device> glooDevice(const std::string& masterAddr) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (masterAddr == "127.0.0.1" || masterAddr == "localhost")
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

void finalizeGroup(Napi::BasicEnv, GroupHolder* holder) { delete holder; }

}  // namespace

// processGroupCreate(masterAddr, masterPort, rank, worldSize, timeoutMs) -> Promise<group>
Napi::Value ProcessGroupCreate(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::string addr = info[0].As<Napi::String>().Utf8Value();
  int port = info[1].As<Napi::Number>().Int32Value();
  int rank = info[2].As<Napi::Number>().Int32Value();
  int size = info[3].As<Napi::Number>().Int32Value();
  auto timeout = toTimeout(info[4]);
  auto holder = std::make_shared<GroupHolder>();
  auto* worker = new PromiseWorker(env, "processGroupCreate", [=] {
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = rank == 0;
    opts.numWorkers = size;
    opts.waitWorkers = true;
    opts.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(addr, opts);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(glooDevice(addr));
    options->threads = 2;
    holder->group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, options);
    holder->rank = rank;
    holder->size = size;
  });
  worker->result = [holder](Napi::Env e) -> Napi::Value {
    return Napi::External<GroupHolder>::New(e, new GroupHolder(*holder), finalizeGroup);
  };
  return queue(worker);
}

// allreduceSum(group, tensors, timeoutMs) -> Promise<void>: each tensor becomes its sum over ranks, in place.
// One Gloo allreduce per tensor (a flattened gradient bucket), all in flight at once, awaited together.
Napi::Value AllreduceSum(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto group = unwrapGroup(env, info[0], "allreduce")->group;
  auto tensors = unwrapTensors(env, info[1], "allreduce");
  auto timeout = toTimeout(info[2]);
  // Started here, on the calling thread, so collectives keep the order every rank issues them in.
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  try {
    for (auto& t : tensors) {
      std::vector<at::Tensor> one{t};
      works.push_back(group->allreduce(one));
    }
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, "allreduce: " + firstLine(e));
  }
  return queue(new PromiseWorker(env, "allreduce", [works, tensors, timeout] {
    for (auto& w : works) w->wait(timeout);
  }));
}

// broadcast(group, tensors, rootRank, timeoutMs) -> Promise<void>: every rank's tensors become the root's.
Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto group = unwrapGroup(env, info[0], "broadcast")->group;
  auto tensors = unwrapTensors(env, info[1], "broadcast");
  c10d::BroadcastOptions opts;
  opts.rootRank = info[2].As<Napi::Number>().Int32Value();
  auto timeout = toTimeout(info[3]);
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  try {
    for (auto& t : tensors) {
      std::vector<at::Tensor> one{t};
      works.push_back(group->broadcast(one, opts));
    }
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, "broadcast: " + firstLine(e));
  }
  return queue(new PromiseWorker(env, "broadcast", [works, tensors, timeout] {
    for (auto& w : works) w->wait(timeout);
  }));
}

// barrier(group, timeoutMs) -> Promise<void>
Napi::Value Barrier(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto group = unwrapGroup(env, info[0], "barrier")->group;
  auto timeout = toTimeout(info[1]);
  c10d::BarrierOptions opts;
  opts.timeout = timeout;
  c10::intrusive_ptr<c10d::Work> work;
  try {
    work = group->barrier(opts);
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, "barrier: " + firstLine(e));
  }
  return queue(new PromiseWorker(env, "barrier", [work, timeout] { work->wait(timeout); }));
}

// syncBatchNorm(group, x, weight|null, bias|null, runningMean|null, runningVar|null, momentum, eps, timeoutMs)
// -> y: training-mode BatchNorm with statistics over every rank's batch (see SyncBatchNormFunction). Blocking,
// like the rest of a forward pass; a dead peer is an error after the timeout.
Napi::Value SyncBatchNorm(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto group = unwrapGroup(env, info[0], "syncBatchNorm")->group;
  auto optional = [&](int i) { return info[i].IsNull() || info[i].IsUndefined() ? at::Tensor()
                                                                              : unwrapTensor(env, info[i], "syncBatchNorm"); };
  auto& x = unwrapTensor(env, info[1], "syncBatchNorm");
  if (x.dim() < 2) throw Napi::TypeError::New(env, "syncBatchNorm: expects [N, C, ...], got " + describeTensor(x));
  try {
    return wrapTensor(env, SyncBatchNormFunction::apply(x, optional(2), optional(3), group, optional(4), optional(5),
                                                        info[6].As<Napi::Number>().DoubleValue(),
                                                        info[7].As<Napi::Number>().DoubleValue(), toTimeout(info[8])));
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, "syncBatchNorm: " + firstLine(e));
  }
}

// processGroupDestroy(group): closes the connections now (the finalizer is only the backstop).
Napi::Value ProcessGroupDestroy(const Napi::CallbackInfo& info) {
  if (!info[0].IsExternal()) return info.Env().Undefined();
  auto* holder = info[0].As<Napi::External<GroupHolder>>().Data();
  if (holder->group) forgetGroup(holder->group);
  holder->group.reset();
  return info.Env().Undefined();
}

void registerDistributed(Napi::Env env, Napi::Object exports) {
#define REG(name, fn) exports.Set(name, Napi::Function::New(env, fn, name))
  REG("processGroupCreate", ProcessGroupCreate);
  REG("allreduceSum", AllreduceSum);
  REG("broadcast", Broadcast);
  REG("barrier", Barrier);
  REG("processGroupDestroy", ProcessGroupDestroy);
  REG("syncBatchNorm", SyncBatchNorm);
#undef REG
}

}  // namespace medattn

#endif  // USE_C10D_GLOO
