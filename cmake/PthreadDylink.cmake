# pthread-dylink for CMake projects built with emscripten (emcmake cmake ...).
#
#   include(/path/to/pthread-dylink/cmake/PthreadDylink.cmake)
#   # or: list(APPEND CMAKE_MODULE_PATH /path/to/pthread-dylink/cmake) then include(PthreadDylink)
#   add_executable(app main.c)
#   target_link_options(app PRIVATE -pthread -sMAIN_MODULE=1)
#   target_link_pthread_dylink(app)                  # links the runtime in (--js-library)
#   target_link_pthread_dylink(app ROUTE POSTLINK)   # or patches app.js after each link
#
# The package path comes from where this file is: the npm package (node_modules/pthread-dylink)
# or a checkout. `node -p "require('pthread-dylink').cmakeModule"` prints it.

get_filename_component(PTHREAD_DYLINK_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
set(PTHREAD_DYLINK_LIBRARY "${PTHREAD_DYLINK_ROOT}/library_pthread_dylink.js")
set(PTHREAD_DYLINK_CLI "${PTHREAD_DYLINK_ROOT}/dist/cli.js")

function(target_link_pthread_dylink target)
  cmake_parse_arguments(PARSE_ARGV 1 PD "" "ROUTE" "")
  if(PD_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "target_link_pthread_dylink(${target}): unexpected arguments ${PD_UNPARSED_ARGUMENTS}; "
      "usage: target_link_pthread_dylink(<target> [ROUTE LIBRARY|POSTLINK])")
  endif()
  if(NOT PD_ROUTE)
    set(PD_ROUTE LIBRARY)
  endif()
  if(NOT EMSCRIPTEN)
    message(FATAL_ERROR "target_link_pthread_dylink(${target}): this is not an emscripten build; "
      "configure with `emcmake cmake ...`")
  endif()
  if(NOT TARGET ${target})
    message(FATAL_ERROR "target_link_pthread_dylink(${target}): no such target")
  endif()

  if(PD_ROUTE STREQUAL "LIBRARY")
    if(NOT EXISTS "${PTHREAD_DYLINK_LIBRARY}")
      message(FATAL_ERROR "target_link_pthread_dylink(${target}): ${PTHREAD_DYLINK_LIBRARY} is missing")
    endif()
    target_link_options(${target} PRIVATE "--js-library=${PTHREAD_DYLINK_LIBRARY}")
    # Relink when the runtime changes.
    set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${PTHREAD_DYLINK_LIBRARY}")
  elseif(PD_ROUTE STREQUAL "POSTLINK")
    if(NOT EXISTS "${PTHREAD_DYLINK_CLI}")
      message(FATAL_ERROR "target_link_pthread_dylink(${target}): ${PTHREAD_DYLINK_CLI} is missing "
        "(in a checkout, run `npm run build`)")
    endif()
    # The node emscripten's toolchain file found for running its output.
    set(node "${CMAKE_CROSSCOMPILING_EMULATOR}")
    if(NOT node)
      find_program(node NAMES node nodejs REQUIRED)
    endif()
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND ${node} "${PTHREAD_DYLINK_CLI}" patch "$<TARGET_FILE:${target}>"
      COMMENT "pthread-dylink: patching $<TARGET_FILE_NAME:${target}>"
      VERBATIM)
  else()
    message(FATAL_ERROR "target_link_pthread_dylink(${target}): ROUTE must be LIBRARY or POSTLINK, not ${PD_ROUTE}")
  endif()
endfunction()
