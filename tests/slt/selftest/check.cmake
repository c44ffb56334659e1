cmake_minimum_required(VERSION 3.25)
# Runs `sluice test FILE` and checks that it fails (exit status 1) with exactly the
# output in EXPECT (with <FILE> standing for the path).
execute_process(COMMAND ${SLUICE} test ${FILE} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
file(READ ${EXPECT} want)
string(REPLACE "<FILE>" "${FILE}" want "${want}")
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "expected exit status 1, got ${rc}\n${out}${err}")
endif()
if(NOT out STREQUAL want)
  message(FATAL_ERROR "output differs.\n--- expected\n${want}--- got\n${out}")
endif()
