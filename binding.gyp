{
  "variables": {
    "libtorch%": "<!(node -p \"process.env.LIBTORCH || ''\")",
    "gloo%": "<!(node -p \"['/usr/include', (process.env.LIBTORCH || '/nonexistent') + '/include'].some((d) => require('fs').existsSync(d + '/gloo/algorithm.h')) ? 1 : 0\")",
    "cuda%": "<!(node -p \"process.env.MEDATTN_CUDA === '1' ? 1 : 0\")",
    "cxx11_abi%": "<!(node -p \"process.env.MEDATTN_CXX11_ABI || ''\")"
  },
  "targets": [
    {
      "target_name": "medattn",
      "sources": ["native/src/addon.cc", "native/src/handle.cc", "native/src/dispatch.cc", "native/src/runtime.cc", "native/src/distributed.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_EXPERIMENTAL", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "conditions": [
        ["gloo==1", { "defines": ["USE_C10D_GLOO"] }],
        ["cxx11_abi!=''", { "defines": ["_GLIBCXX_USE_CXX11_ABI=<(cxx11_abi)"] }],
        ["cuda==1", { "libraries": ["-Wl,--no-as-needed", "-ltorch_cuda", "-lc10_cuda"] }],
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
