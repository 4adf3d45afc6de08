// A libtorch tensor owned by JavaScript. The JS side holds it in a Napi::External; dispose() releases the
// tensor at once, the External's finalizer is only the backstop. Bytes of tensors that may be left to the GC
// are reported to V8 so that GC pressure reflects native memory; tensors made inside a tidy() scope are not
// (the scope frees them, and reporting a training step's activations forced a full GC every few batches).
#pragma once
#include <ATen/ATen.h>
#include <napi.h>
#include <atomic>

namespace medattn {

struct TensorHolder {
  at::Tensor tensor;
  int64_t reportedBytes = 0;
};

extern std::atomic<int64_t> liveTensorCount;
// Whether new tensors report their bytes to V8 (off while a tidy() scope is open).
extern bool reportExternalMemory;
// Bytes currently reported to V8 by this addon (node's process.memoryUsage() does not show them).
extern std::atomic<int64_t> reportedExternalBytes;
// Reports a tensor's bytes to V8 if it was not reported yet (a tensor leaving the outermost scope).
void reportHolder(Napi::Env env, TensorHolder* holder);

Napi::Value wrapTensor(Napi::Env env, at::Tensor tensor);
// Returns the tensor inside a handle; throws a JS TypeError naming `what` when it is not a live tensor.
at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& value, const char* what);
bool isTensorHandle(const Napi::Value& value);
// Callable from a basic (GC-time) finalizer: it only frees memory and adjusts V8's external-memory count.
void releaseHolder(Napi::BasicEnv env, TensorHolder* holder);

// Describes a tensor for error messages: "[2, 3] float32".
std::string describeTensor(const at::Tensor& t);
const char* dtypeName(at::ScalarType t);

}  // namespace medattn
