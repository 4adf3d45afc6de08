#include "handle.h"
#include <sstream>

namespace medattn {

std::atomic<int64_t> liveTensorCount{0};
bool reportExternalMemory = true;
std::atomic<int64_t> reportedExternalBytes{0};

static int64_t bytesOf(const at::Tensor& t) {
  return t.defined() ? static_cast<int64_t>(t.numel() * t.element_size()) : 0;
}

void releaseHolder(Napi::BasicEnv env, TensorHolder* holder) {
  if (!holder->tensor.defined() && holder->reportedBytes == 0) return;
  if (holder->reportedBytes) {
    Napi::MemoryManagement::AdjustExternalMemory(env, -holder->reportedBytes);
    reportedExternalBytes -= holder->reportedBytes;
  }
  if (holder->tensor.defined()) liveTensorCount--;
  holder->reportedBytes = 0;
  holder->tensor = at::Tensor();
}

void reportHolder(Napi::Env env, TensorHolder* holder) {
  if (holder->reportedBytes || !holder->tensor.defined()) return;
  holder->reportedBytes = bytesOf(holder->tensor);
  if (holder->reportedBytes) Napi::MemoryManagement::AdjustExternalMemory(env, holder->reportedBytes);
  reportedExternalBytes += holder->reportedBytes;
}

Napi::Value wrapTensor(Napi::Env env, at::Tensor tensor) {
  auto* holder = new TensorHolder{std::move(tensor), 0};
  if (reportExternalMemory) reportHolder(env, holder);
  liveTensorCount++;
  // A basic finalizer runs during GC itself; a regular one would be queued until the event loop turns,
  // so a synchronous training loop would pile up finalizers (measured: ~200 bytes per op).
  return Napi::External<TensorHolder>::New(env, holder, [](Napi::BasicEnv env, TensorHolder* h) {
    releaseHolder(env, h);
    delete h;
  });
}

bool isTensorHandle(const Napi::Value& value) { return value.IsExternal(); }

at::Tensor& unwrapTensor(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsExternal()) throw Napi::TypeError::New(env, std::string(what) + ": expected a tensor");
  auto* holder = value.As<Napi::External<TensorHolder>>().Data();
  if (!holder->tensor.defined())
    throw Napi::Error::New(env, std::string(what) + ": tensor was already disposed");
  return holder->tensor;
}

const char* dtypeName(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return "float32";
    case at::kDouble: return "float64";
    case at::kBFloat16: return "bfloat16";
    case at::kHalf: return "float16";
    case at::kLong: return "int64";
    case at::kInt: return "int32";
    case at::kShort: return "int16";
    case at::kChar: return "int8";
    case at::kByte: return "uint8";
    case at::kBool: return "bool";
    default: return c10::toString(t);
  }
}

std::string describeTensor(const at::Tensor& t) {
  if (!t.defined()) return "undefined";
  std::ostringstream s;
  s << "[";
  for (int64_t i = 0; i < t.dim(); ++i) s << (i ? ", " : "") << t.size(i);
  s << "] " << dtypeName(t.scalar_type());
  if (!t.device().is_cpu()) s << " " << t.device().str();
  return s.str();
}

}  // namespace medattn
