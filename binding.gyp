{
  "variables": {
    "libtorch%": "<!(node -p \"process.env.LIBTORCH || ''\")"
  },
  "targets": [
    {
      "target_name": "medattn",
      "sources": ["native/src/addon.cc", "native/src/handle.cc", "native/src/dispatch.cc", "native/src/runtime.cc", "native/src/distributed.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_EXPERIMENTAL", "NODE_ADDON_API_DISABLE_DEPRECATED", "USE_C10D_GLOO"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "conditions": [
        ["libtorch==''", {
          "libraries": ["-ltorch", "-ltorch_cpu", "-lc10"]
        }, {
          "include_dirs": ["<(libtorch)/include", "<(libtorch)/include/torch/csrc/api/include"],
          "libraries": ["-L<(libtorch)/lib", "-Wl,-rpath,<(libtorch)/lib", "-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10"]
        }]
      ]
    }
  ]
}
