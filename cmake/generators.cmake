# lemon and re2c: generated sources go to the build directory only.
find_program(LEMON lemon REQUIRED)
find_program(RE2C re2c REQUIRED)
find_file(LEMPAR lempar.c PATHS /usr/share/lemon /usr/local/share/lemon REQUIRED)

# sluice_lemon(OUT_VAR grammar.y): generates grammar.c / grammar.h in the
# current binary directory and appends the .c to OUT_VAR.
function(sluice_lemon out_var grammar)
  get_filename_component(name ${grammar} NAME_WE)
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/${grammar})
  set(dir ${CMAKE_CURRENT_BINARY_DIR})
  add_custom_command(
    OUTPUT ${dir}/${name}.c ${dir}/${name}.h
    COMMAND ${LEMON} -q -T${LEMPAR} -d${dir} ${src}
    DEPENDS ${src} ${LEMPAR}
    COMMENT "lemon ${grammar}")
  set(${out_var} ${${out_var}} ${dir}/${name}.c PARENT_SCOPE)
endfunction()

# sluice_re2c(OUT_VAR lexer.re): generates lexer.c in the current binary directory.
function(sluice_re2c out_var input)
  get_filename_component(name ${input} NAME_WE)
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/${input})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${name}.c)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${RE2C} -W --no-generation-date --no-version -o ${out} ${src}
    DEPENDS ${src}
    COMMENT "re2c ${input}")
  set(${out_var} ${${out_var}} ${out} PARENT_SCOPE)
endfunction()
