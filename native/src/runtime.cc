// Everything that is not an ATen operator: memory transfer between typed arrays and tensors, tensor
// metadata, autograd state, grad mode, seeds, threads and device queries.
#include <ATen/Parallel.h>
#include <ATen/Context.h>
#include <climits>
#include <cstring>
#include <dlfcn.h>
#include <malloc.h>
#include <torch/csrc/api/include/torch/version.h>
#include "handle.h"

namespace medattn {

namespace {

std::string what(const std::exception& e) {
  if (auto* ce = dynamic_cast<const c10::Error*>(&e)) {
    std::string s = ce->what_without_backtrace();
    auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
  }
  return e.what();
}

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* name, F&& f) {
  try {
    return f(info.Env());
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Napi::Error::New(info.Env(), std::string(name) + ": " + what(e));
  }
}

std::vector<int64_t> toShape(const Napi::Value& v) {
  auto arr = v.As<Napi::Array>();
  std::vector<int64_t> shape(arr.Length());
  for (uint32_t i = 0; i < arr.Length(); ++i) shape[i] = arr.Get(i).As<Napi::Number>().Int64Value();
  return shape;
}

}  // namespace

// fromBuffer(typedArray | ArrayBuffer, shape, dtypeCode) -> tensor (copies, so JS may reuse the array)
Napi::Value FromBuffer(const Napi::CallbackInfo& info) {
  return guarded(info, "fromBuffer", [&](Napi::Env env) -> Napi::Value {
    const uint8_t* data;
    size_t length;
    if (info[0].IsTypedArray()) {
      auto ta = info[0].As<Napi::TypedArray>();
      auto buf = ta.ArrayBuffer();
      data = static_cast<const uint8_t*>(buf.Data()) + ta.ByteOffset();
      length = ta.ByteLength();
    } else {
      auto buf = info[0].As<Napi::ArrayBuffer>();
      data = static_cast<const uint8_t*>(buf.Data());
      length = buf.ByteLength();
    }
    auto shape = toShape(info[1]);
    auto dtype = static_cast<at::ScalarType>(info[2].As<Napi::Number>().Int32Value());
    auto t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t need = t.numel() * t.element_size();
    if (need != length)
      throw Napi::RangeError::New(env, "fromBuffer: data has " + std::to_string(length) + " bytes, shape needs " +
                                           std::to_string(need));
    if (need) std::memcpy(t.data_ptr(), data, need);
    return wrapTensor(env, std::move(t));
  });
}

// toBuffer(tensor, zeroCopy) -> ArrayBuffer of the contiguous CPU data.
// zeroCopy: the ArrayBuffer aliases the tensor's memory (kept alive by the buffer); only safe if the tensor
// is not modified afterwards, which is why a copy is the default on the JS side.
Napi::Value ToBuffer(const Napi::CallbackInfo& info) {
  return guarded(info, "toBuffer", [&](Napi::Env env) -> Napi::Value {
    auto t = unwrapTensor(env, info[0], "toBuffer").detach();
    bool zeroCopy = info.Length() > 1 && info[1].ToBoolean().Value();
    if (!t.device().is_cpu()) t = t.cpu();
    t = t.contiguous();
    size_t n = t.numel() * t.element_size();
    if (zeroCopy && n > 0) {
      auto* keep = new at::Tensor(t);
      return Napi::ArrayBuffer::New(env, t.data_ptr(), n, [](Napi::BasicEnv, void*, at::Tensor* k) { delete k; }, keep);
    }
    auto buf = Napi::ArrayBuffer::New(env, n);
    if (n) std::memcpy(buf.Data(), t.data_ptr(), n);
    return buf;
  });
}

// meta(tensor) -> [shape[], dtypeCode, device, requiresGrad]
Napi::Value Meta(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& t = unwrapTensor(env, info[0], "meta");
  auto shape = Napi::Array::New(env, t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) shape.Set(i, Napi::Number::New(env, static_cast<double>(t.size(i))));
  auto out = Napi::Array::New(env, 4);
  out.Set(0u, shape);
  out.Set(1u, Napi::Number::New(env, static_cast<int>(t.scalar_type())));
  out.Set(2u, Napi::String::New(env, t.device().str()));
  out.Set(3u, Napi::Boolean::New(env, t.requires_grad()));
  return out;
}

Napi::Value Shape(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& t = unwrapTensor(env, info[0], "shape");
  auto shape = Napi::Array::New(env, t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) shape.Set(i, Napi::Number::New(env, static_cast<double>(t.size(i))));
  return shape;
}

// isContiguous(tensor, memoryFormatCode) -> boolean (0 contiguous, 2 channels-last, 3 channels-last-3d)
Napi::Value IsContiguous(const Napi::CallbackInfo& info) {
  auto& t = unwrapTensor(info.Env(), info[0], "isContiguous");
  auto format = static_cast<at::MemoryFormat>(info[1].As<Napi::Number>().Int32Value());
  return Napi::Boolean::New(info.Env(), t.is_contiguous(format));
}

Napi::Value Strides(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto& t = unwrapTensor(env, info[0], "strides");
  auto out = Napi::Array::New(env, t.dim());
  for (int64_t i = 0; i < t.dim(); ++i) out.Set(i, Napi::Number::New(env, static_cast<double>(t.stride(i))));
  return out;
}

Napi::Value Item(const Napi::CallbackInfo& info) {
  return guarded(info, "item", [&](Napi::Env env) -> Napi::Value {
    auto& t = unwrapTensor(env, info[0], "item");
    if (t.numel() != 1)
      throw Napi::Error::New(env, "item: tensor " + describeTensor(t) + " has more than one element");
    auto s = t.item();
    if (s.isBoolean()) return Napi::Boolean::New(env, s.toBool());
    return Napi::Number::New(env, s.toDouble());
  });
}

Napi::Value Dispose(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal()) releaseHolder(info.Env(), info[0].As<Napi::External<TensorHolder>>().Data());
  return info.Env().Undefined();
}

Napi::Value IsDisposed(const Napi::CallbackInfo& info) {
  auto* h = info[0].As<Napi::External<TensorHolder>>().Data();
  return Napi::Boolean::New(info.Env(), !h->tensor.defined());
}

// setReportExternal(on) -> previous setting. tidy() turns reporting off for the tensors made in its scope.
Napi::Value SetReportExternal(const Napi::CallbackInfo& info) {
  bool previous = reportExternalMemory;
  reportExternalMemory = info[0].ToBoolean().Value();
  return Napi::Boolean::New(info.Env(), previous);
}

// reportExternal(tensor): a tensor returned out of the outermost tidy() scope is now the GC's to watch.
Napi::Value ReportExternal(const Napi::CallbackInfo& info) {
  if (info[0].IsExternal()) reportHolder(info.Env(), info[0].As<Napi::External<TensorHolder>>().Data());
  return info.Env().Undefined();
}

Napi::Value ReportedExternalBytes(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(reportedExternalBytes.load()));
}

Napi::Value LiveTensors(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(liveTensorCount.load()));
}

// ---- autograd ----

Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "requiresGrad", [&](Napi::Env env) -> Napi::Value {
    unwrapTensor(env, info[0], "requiresGrad").requires_grad_(info[1].ToBoolean().Value());
    return env.Undefined();
  });
}

Napi::Value Grad(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  const auto& g = unwrapTensor(env, info[0], "grad").grad();
  return g.defined() ? wrapTensor(env, g) : env.Undefined();
}

Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "setGrad", [&](Napi::Env env) -> Napi::Value {
    auto& t = unwrapTensor(env, info[0], "setGrad");
    if (info[1].IsUndefined() || info[1].IsNull()) t.mutable_grad() = at::Tensor();
    else t.mutable_grad() = unwrapTensor(env, info[1], "setGrad");
    return env.Undefined();
  });
}

Napi::Value IsLeaf(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), unwrapTensor(info.Env(), info[0], "isLeaf").is_leaf());
}

// backward(tensor, gradient?, retainGraph?)
Napi::Value Backward(const Napi::CallbackInfo& info) {
  return guarded(info, "backward", [&](Napi::Env env) -> Napi::Value {
    auto& t = unwrapTensor(env, info[0], "backward");
    at::Tensor g;
    if (info.Length() > 1 && info[1].IsExternal()) g = unwrapTensor(env, info[1], "backward gradient");
    bool retain = info.Length() > 2 && info[2].ToBoolean().Value();
    if (!t.requires_grad())
      throw Napi::Error::New(env, "backward: tensor " + describeTensor(t) + " does not require grad");
    if (!g.defined() && t.numel() != 1)
      throw Napi::Error::New(env, "backward: tensor " + describeTensor(t) +
                                      " is not a scalar; pass the gradient explicitly");
    t.backward(g, retain);
    return env.Undefined();
  });
}

Napi::Value GradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  at::GradMode::set_enabled(info[0].ToBoolean().Value());
  return info.Env().Undefined();
}

// ---- runtime ----

Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  at::manual_seed(static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value()));
  return info.Env().Undefined();
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  at::set_num_threads(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

Napi::Value SetDeterministic(const Napi::CallbackInfo& info) {
  at::globalContext().setDeterministicAlgorithms(info[0].ToBoolean().Value(), false);
  return info.Env().Undefined();
}

// glibc hands out each block above its mmap threshold (128 KiB at start, adapting up to 32 MiB) as fresh pages
// and trims the heap top back to the kernel as soon as it passes 2x that. A training step frees and re-allocates
// the same activation sizes every step, so by default every step page-faults its whole working set again
// (on this VM ~3 us a fault, ~15 % of a small CNN's step). Keeping freed memory in the heap for reuse is what
// PyTorch's caching allocators do on GPUs; here two mallopt settings do it for the CPU.
Napi::Value KeepFreedMemory(const Napi::CallbackInfo& info) {
  constexpr int kLargestHeapBlock = 32 * 1024 * 1024;  // glibc's ceiling for M_MMAP_THRESHOLD on 64-bit
  bool ok = mallopt(M_MMAP_THRESHOLD, kLargestHeapBlock) == 1 && mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
  return Napi::Boolean::New(info.Env(), ok);
}

// Debian's libtorch does its matmuls (linear layers, attention, some convolution passes) through OpenBLAS's
// pthread build, whose own worker threads busy-wait in sched_yield between calls while libtorch's OpenMP threads
// compute: on 2 cores they took half the CPU. With BLAS on the calling thread a DRIVE U-Net epoch went from 39.8
// to 19.5 s and a PhysioNet ICU epoch from 7.7 to 2.0 s. Returns the BLAS threads before, or -1 when the process's
// BLAS is not OpenBLAS (nothing to set).
Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  void* openblas = dlopen("libopenblas.so.0", RTLD_LAZY | RTLD_NOLOAD);
  if (openblas == nullptr) return Napi::Number::New(info.Env(), -1);
  auto get = reinterpret_cast<int (*)()>(dlsym(openblas, "openblas_get_num_threads"));
  auto set = reinterpret_cast<void (*)(int)>(dlsym(openblas, "openblas_set_num_threads"));
  int before = get != nullptr ? get() : -1;
  if (set != nullptr) set(info[0].As<Napi::Number>().Int32Value());
  dlclose(openblas);  // drops only the reference RTLD_NOLOAD took; libtorch keeps the library loaded
  return Napi::Number::New(info.Env(), set != nullptr ? before : -1);
}

Napi::Value CudaAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::hasCUDA());
}

Napi::Value Version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), TORCH_VERSION);
}

Napi::Value ParallelInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), at::get_parallel_info());
}

void registerRuntime(Napi::Env env, Napi::Object exports) {
#define REG(name, fn) exports.Set(name, Napi::Function::New(env, fn))
  REG("fromBuffer", FromBuffer);
  REG("toBuffer", ToBuffer);
  REG("meta", Meta);
  REG("shape", Shape);
  REG("item", Item);
  REG("isContiguous", IsContiguous);
  REG("strides", Strides);
  REG("dispose", Dispose);
  REG("isDisposed", IsDisposed);
  REG("liveTensors", LiveTensors);
  REG("setReportExternal", SetReportExternal);
  REG("reportExternal", ReportExternal);
  REG("reportedExternalBytes", ReportedExternalBytes);
  REG("setRequiresGrad", SetRequiresGrad);
  REG("grad", Grad);
  REG("setGrad", SetGrad);
  REG("isLeaf", IsLeaf);
  REG("backward", Backward);
  REG("gradEnabled", GradEnabled);
  REG("setGradEnabled", SetGradEnabled);
  REG("manualSeed", ManualSeed);
  REG("setNumThreads", SetNumThreads);
  REG("getNumThreads", GetNumThreads);
  REG("setDeterministic", SetDeterministic);
  REG("keepFreedMemory", KeepFreedMemory);
  REG("setBlasThreads", SetBlasThreads);
  REG("cudaAvailable", CudaAvailable);
  REG("version", Version);
  REG("parallelInfo", ParallelInfo);
#undef REG
}

}  // namespace medattn
