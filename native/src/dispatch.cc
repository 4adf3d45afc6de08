// Generic access to every ATen operator through the c10 dispatcher (the boxed calling convention that
// TorchScript uses). JS looks an operator up once by schema name and overload, then calls it with an array
// of arguments in schema order; arguments are converted according to the schema's types, missing ones take
// the schema's defaults. Autograd is recorded because the call goes through every dispatch key.
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <sstream>
#include "handle.h"

namespace medattn {

namespace {

struct OpRef {
  c10::OperatorHandle handle;
  std::string name;
};

[[noreturn]] void argError(Napi::Env env, const OpRef& op, const c10::Argument& arg, const std::string& msg) {
  throw Napi::TypeError::New(env, op.name + ": argument '" + arg.name() + "' " + msg);
}

int64_t toInt(Napi::Env env, const OpRef& op, const c10::Argument& arg, const Napi::Value& v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d != static_cast<double>(static_cast<int64_t>(d))) argError(env, op, arg, "expects an integer");
    return static_cast<int64_t>(d);
  }
  if (v.IsBigInt()) {
    bool lossless;
    return v.As<Napi::BigInt>().Int64Value(&lossless);
  }
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? 1 : 0;
  argError(env, op, arg, "expects an integer");
}

c10::IValue toIValue(Napi::Env env, const OpRef& op, const c10::Argument& arg, const c10::TypePtr& type,
                     const Napi::Value& v) {
  switch (type->kind()) {
    case c10::TypeKind::OptionalType:
      if (v.IsUndefined() || v.IsNull()) return c10::IValue();
      return toIValue(env, op, arg, type->castRaw<c10::OptionalType>()->getElementType(), v);
    case c10::TypeKind::TensorType:
      return unwrapTensor(env, v, (op.name + " argument '" + arg.name() + "'").c_str());
    case c10::TypeKind::IntType:
    case c10::TypeKind::SymIntType:
      return toInt(env, op, arg, v);
    case c10::TypeKind::FloatType:
      if (!v.IsNumber()) argError(env, op, arg, "expects a number");
      return v.As<Napi::Number>().DoubleValue();
    case c10::TypeKind::BoolType:
      if (!v.IsBoolean()) argError(env, op, arg, "expects a boolean");
      return v.As<Napi::Boolean>().Value();
    case c10::TypeKind::NumberType: {  // Scalar: integers stay integral, like Python literals
      if (v.IsBoolean()) return c10::Scalar(v.As<Napi::Boolean>().Value());
      if (!v.IsNumber()) argError(env, op, arg, "expects a number");
      double d = v.As<Napi::Number>().DoubleValue();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.007199254740992e15)
        return c10::Scalar(static_cast<int64_t>(d));
      return c10::Scalar(d);
    }
    case c10::TypeKind::StringType:
      if (!v.IsString()) argError(env, op, arg, "expects a string");
      return v.As<Napi::String>().Utf8Value();
    case c10::TypeKind::DeviceObjType:
      if (!v.IsString()) argError(env, op, arg, "expects a device string such as 'cpu' or 'cuda:0'");
      return c10::Device(v.As<Napi::String>().Utf8Value());
    case c10::TypeKind::ListType: {
      auto elem = type->castRaw<c10::ListType>()->getElementType();
      auto kind = elem->kind();
      if (!v.IsArray()) {
        // int[2] arguments accept a single integer, as in PyTorch (kernel_size=3).
        if (kind == c10::TypeKind::IntType || kind == c10::TypeKind::SymIntType) {
          int64_t x = toInt(env, op, arg, v);
          return c10::List<int64_t>(std::vector<int64_t>(arg.N() ? *arg.N() : 1, x));
        }
        argError(env, op, arg, "expects an array");
      }
      auto arr = v.As<Napi::Array>();
      uint32_t n = arr.Length();
      if (kind == c10::TypeKind::IntType || kind == c10::TypeKind::SymIntType) {
        c10::List<int64_t> out;
        out.reserve(n);
        for (uint32_t i = 0; i < n; ++i) out.push_back(toInt(env, op, arg, arr[i]));
        if (n == 1 && arg.N() && *arg.N() > 1) return c10::List<int64_t>(std::vector<int64_t>(*arg.N(), out[0]));
        return out;
      }
      if (kind == c10::TypeKind::FloatType) {
        c10::List<double> out;
        for (uint32_t i = 0; i < n; ++i) out.push_back(arr.Get(i).As<Napi::Number>().DoubleValue());
        return out;
      }
      if (kind == c10::TypeKind::BoolType) {
        c10::List<bool> out;
        for (uint32_t i = 0; i < n; ++i) out.push_back(arr.Get(i).ToBoolean().Value());
        return out;
      }
      if (kind == c10::TypeKind::TensorType) {
        c10::List<at::Tensor> out;
        out.reserve(n);
        for (uint32_t i = 0; i < n; ++i) out.push_back(unwrapTensor(env, arr[i], (op.name + " argument '" + arg.name() + "'").c_str()));
        return out;
      }
      if (kind == c10::TypeKind::OptionalType) {  // Tensor?[] (advanced indexing)
        c10::List<c10::optional<at::Tensor>> out;
        for (uint32_t i = 0; i < n; ++i) {
          Napi::Value e = arr[i];
          if (e.IsNull() || e.IsUndefined()) out.push_back(c10::nullopt);
          else out.push_back(unwrapTensor(env, e, op.name.c_str()));
        }
        return out;
      }
      argError(env, op, arg, "has a list type not supported by medattn: " + type->str());
    }
    default:
      argError(env, op, arg, "has a type not supported by medattn: " + type->str());
  }
}

Napi::Value fromIValue(Napi::Env env, const c10::IValue& v) {
  if (v.isTensor()) return wrapTensor(env, v.toTensor());
  if (v.isNone()) return env.Undefined();
  if (v.isInt()) return Napi::Number::New(env, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(env, v.toDouble());
  if (v.isBool()) return Napi::Boolean::New(env, v.toBool());
  if (v.isScalar()) return Napi::Number::New(env, v.toScalar().toDouble());
  if (v.isTensorList()) {
    auto list = v.toTensorList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(i, wrapTensor(env, list.get(i)));
    return arr;
  }
  if (v.isIntList()) {
    auto list = v.toIntList();
    auto arr = Napi::Array::New(env, list.size());
    for (size_t i = 0; i < list.size(); ++i) arr.Set(i, Napi::Number::New(env, static_cast<double>(list.get(i))));
    return arr;
  }
  if (v.isTuple()) {
    const auto& elems = v.toTupleRef().elements();
    auto arr = Napi::Array::New(env, elems.size());
    for (size_t i = 0; i < elems.size(); ++i) arr.Set(i, fromIValue(env, elems[i]));
    return arr;
  }
  if (v.isString()) return Napi::String::New(env, v.toStringRef());
  throw Napi::Error::New(env, "medattn: unsupported return type " + v.tagKind());
}

std::string firstLine(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

}  // namespace

// findOp(name, overload) -> External<OpRef> | undefined
Napi::Value FindOp(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  std::string name = info[0].As<Napi::String>();
  std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
  auto handle = c10::Dispatcher::singleton().findSchema({name, overload});
  if (!handle) return env.Undefined();
  std::string full = overload.empty() ? name : name + "." + overload;
  auto* ref = new OpRef{*handle, full};
  return Napi::External<OpRef>::New(env, ref, [](Napi::BasicEnv, OpRef* r) { delete r; });
}

// opSchema(op) -> string, for documentation and error messages.
Napi::Value OpSchema(const Napi::CallbackInfo& info) {
  auto* op = info[0].As<Napi::External<OpRef>>().Data();
  std::ostringstream s;
  s << op->handle.schema();
  return Napi::String::New(info.Env(), s.str());
}

// callOp(op, args[]) -> result (tensor handle, array for tuples/lists, number, boolean, undefined)
Napi::Value CallOp(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto* op = info[0].As<Napi::External<OpRef>>().Data();
  auto args = info[1].As<Napi::Array>();
  const auto& schema = op->handle.schema();
  const auto& formals = schema.arguments();
  uint32_t given = args.Length();
  if (given > formals.size())
    throw Napi::TypeError::New(env, op->name + ": expected at most " + std::to_string(formals.size()) +
                                        " arguments, got " + std::to_string(given));
  torch::jit::Stack stack;
  stack.reserve(formals.size());
  for (size_t i = 0; i < formals.size(); ++i) {
    const auto& arg = formals[i];
    Napi::Value v = i < given ? args.Get(i) : env.Undefined();
    if (v.IsUndefined()) {
      if (arg.default_value()) {
        stack.push_back(*arg.default_value());
        continue;
      }
      if (arg.type()->kind() == c10::TypeKind::OptionalType) {
        stack.emplace_back();
        continue;
      }
      throw Napi::TypeError::New(env, op->name + ": missing argument '" + arg.name() + "'");
    }
    stack.push_back(toIValue(env, *op, arg, arg.type(), v));
  }
  try {
    op->handle.callBoxed(&stack);
  } catch (const c10::Error& e) {
    std::ostringstream s;
    s << op->name << ": " << firstLine(e.what_without_backtrace()) << " (inputs:";
    bool any = false;
    for (size_t i = 0; i < given && i < formals.size(); ++i) {
      Napi::Value v = args.Get(i);
      if (v.IsExternal()) {
        auto* h = v.As<Napi::External<TensorHolder>>().Data();
        s << (any ? ", " : " ") << formals[i].name() << " " << describeTensor(h->tensor);
        any = true;
      }
    }
    s << ")";
    throw Napi::Error::New(env, s.str());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, op->name + ": " + firstLine(e.what()));
  }
  if (stack.empty()) return env.Undefined();
  if (stack.size() == 1) return fromIValue(env, stack[0]);
  auto arr = Napi::Array::New(env, stack.size());
  for (size_t i = 0; i < stack.size(); ++i) arr.Set(i, fromIValue(env, stack[i]));
  return arr;
}

void registerDispatch(Napi::Env env, Napi::Object exports) {
  exports.Set("findOp", Napi::Function::New(env, FindOp));
  exports.Set("opSchema", Napi::Function::New(env, OpSchema));
  exports.Set("callOp", Napi::Function::New(env, CallOp));
}

}  // namespace medattn
