# The `asan` preset: ASan + UBSan over the whole program and its tests (issue 14, proof 1).
# ASan has no runtime for `-static` glibc binaries, so a sanitized build links dynamically;
# the release and dev builds stay fully static (IRON_STATIC_LINK).
# Built with clang, the same build also instruments for libFuzzer (-fsanitize=fuzzer-no-link)
# and adds the harnesses in tests/fuzz, so one sanitized build serves both proofs.
option(IRON_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
set(IRON_STATIC_LINK -static)
set(IRON_FUZZ OFF)
if(IRON_SANITIZE)
  # Any UB report aborts the process (halt_on_error at compile time), so a finding is a failure.
  set(IRON_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${IRON_SANITIZER_FLAGS})
  add_link_options(${IRON_SANITIZER_FLAGS})
  set(IRON_STATIC_LINK "")
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    add_compile_options(-fsanitize=fuzzer-no-link)
    set(IRON_FUZZ ON)
  endif()
endif()
