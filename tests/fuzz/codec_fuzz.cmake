# codec_fuzz: a libFuzzer target over the record codecs of stream/ (see codec_fuzz.c), built
# the way parser_fuzz is (tests/fuzz/CMakeLists.txt and README.md): one clang invocation over
# the fuzz target and the sources of sluice_core and sluice_stream, read from those targets.
# Included from tests/unit/stream/CMakeLists.txt, after sluice_stream exists.
find_program(SLUICE_CLANG NAMES clang-14 clang)
set(codec_fuzz_dir ${CMAKE_SOURCE_DIR}/tests/fuzz)
set(codec_fuzz_bin ${CMAKE_CURRENT_BINARY_DIR}/codec_fuzz)

set(codec_fuzz_ok FALSE)
if(SLUICE_CLANG)
  execute_process(COMMAND ${SLUICE_CLANG} --print-runtime-dir OUTPUT_VARIABLE codec_rt_dir
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(EXISTS "${codec_rt_dir}/libclang_rt.fuzzer-${CMAKE_SYSTEM_PROCESSOR}.a")
    set(codec_fuzz_ok TRUE)
  endif()
endif()

if(NOT codec_fuzz_ok)
  # Fails (does not skip), like parser_fuzz: the fuzzer is part of the codecs' tests.
  add_test(NAME codec_fuzz COMMAND ${CMAKE_COMMAND} -DMISSING=clang -P
                                   ${codec_fuzz_dir}/run_fuzz.cmake)
  set_tests_properties(codec_fuzz PROPERTIES LABELS fuzz)
  return()
endif()

set(codec_fuzz_srcs ${codec_fuzz_dir}/codec_fuzz.c)
foreach(lib sluice_core sluice_stream)
  get_target_property(lib_srcs ${lib} SOURCES)
  get_target_property(lib_dir ${lib} SOURCE_DIR)
  foreach(s ${lib_srcs})
    if(s MATCHES "\\.c$")
      if(NOT IS_ABSOLUTE ${s})
        set(s ${lib_dir}/${s})
      endif()
      list(APPEND codec_fuzz_srcs ${s})
    endif()
  endforeach()
endforeach()

add_custom_command(
  OUTPUT ${codec_fuzz_bin}
  COMMAND ${SLUICE_CLANG} -std=gnu11 -g -O1 -fno-omit-frame-pointer
          -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
          -Wall -Wno-unused-parameter -D_GNU_SOURCE -DOPENSSL_API_COMPAT=0x10100000L
          -I${CMAKE_SOURCE_DIR} -I${CMAKE_SOURCE_DIR}/include
          ${codec_fuzz_srcs} -o ${codec_fuzz_bin} -lcrypto -lpthread -lm
  DEPENDS ${codec_fuzz_srcs}
  COMMENT "clang libFuzzer: codec_fuzz"
  VERBATIM)
add_custom_target(codec_fuzz_build ALL DEPENDS ${codec_fuzz_bin})

add_test(NAME codec_fuzz
         COMMAND ${CMAKE_COMMAND} -DFUZZER=${codec_fuzz_bin} -DSEEDS=${codec_fuzz_dir}/codec_corpus
                 -DREGRESSIONS=${codec_fuzz_dir}/codec_regressions -DDICT=${codec_fuzz_dir}/codec.dict
                 -DWORK=${CMAKE_CURRENT_BINARY_DIR}/codec_fuzz_work -DSECONDS=60 -P
                 ${codec_fuzz_dir}/run_fuzz.cmake)
set_tests_properties(codec_fuzz PROPERTIES LABELS fuzz TIMEOUT 400)
