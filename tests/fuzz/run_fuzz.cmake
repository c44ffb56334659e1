# Runs parser_fuzz for ctest: first every saved crash input of regressions/
# (each must now pass), then fuzzing for SECONDS from the seed corpus.
# cmake -DFUZZER=... -DSEEDS=dir -DREGRESSIONS=dir -DDICT=file -DWORK=dir -DSECONDS=n -P run_fuzz.cmake
if(DEFINED MISSING)
  message(FATAL_ERROR "parser_fuzz needs clang with libFuzzer (Debian packages clang and "
                      "libclang-rt-14-dev; scripts/setup installs them), and none was found "
                      "when CMake configured this build directory: install them and re-run cmake")
endif()
if(NOT EXISTS ${FUZZER})
  message(FATAL_ERROR "${FUZZER} is missing: build the target parser_fuzz_build first")
endif()

file(GLOB cases LIST_DIRECTORIES false ${REGRESSIONS}/*)
list(FILTER cases EXCLUDE REGEX "/README[^/]*$")
list(LENGTH cases ncases)
message(STATUS "replaying ${ncases} regression inputs from ${REGRESSIONS}")
if(ncases GREATER 0)
  execute_process(COMMAND ${FUZZER} -rss_limit_mb=2048 ${cases} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "a regression input of ${REGRESSIONS} fails again (exit ${rc})")
  endif()
endif()

# WORK keeps the corpus the fuzzer grows between runs; crash inputs are written
# there as crash-<sha1> (copy them into regressions/ with the fix).
file(MAKE_DIRECTORY ${WORK}/corpus)
message(STATUS "fuzzing for ${SECONDS} s (seeds ${SEEDS}, crash inputs go to ${WORK}/)")
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10 -max_len=8192
          -dict=${DICT} -artifact_prefix=${WORK}/ -print_final_stats=1 ${WORK}/corpus ${SEEDS}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "parser_fuzz found a failing input (exit ${rc}): see ${WORK}/crash-*")
endif()
