// medattn native addon: a thin binding over libtorch. No model logic lives here.
#include <napi.h>

namespace medattn {
void registerDispatch(Napi::Env env, Napi::Object exports);
void registerRuntime(Napi::Env env, Napi::Object exports);
void registerDistributed(Napi::Env env, Napi::Object exports);
}  // namespace medattn

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  medattn::registerDispatch(env, exports);
  medattn::registerRuntime(env, exports);
  medattn::registerDistributed(env, exports);
  return exports;
}

NODE_API_MODULE(medattn, Init)
