# culex_module(NAME name [DEPS targets...])
# One static library per folder of src/, built from every .cpp in that folder.
# Modules include each other as "protocol/packets.hpp", rooted at src/.
function(culex_module)
    cmake_parse_arguments(ARG "" "NAME" "DEPS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
    if(sources)
        add_library(culex_${ARG_NAME} STATIC ${sources})
        target_include_directories(culex_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
        target_link_libraries(culex_${ARG_NAME} PUBLIC ${ARG_DEPS})
    else()
        # A module not written yet: an interface library, so dependents link already.
        add_library(culex_${ARG_NAME} INTERFACE)
        target_include_directories(culex_${ARG_NAME} INTERFACE ${PROJECT_SOURCE_DIR}/src)
        target_link_libraries(culex_${ARG_NAME} INTERFACE ${ARG_DEPS})
    endif()
endfunction()

# culex_unit_tests(MODULE name [DEPS targets...])
# One GoogleTest executable per folder of tests/unit/, built from every .cpp in it.
function(culex_unit_tests)
    cmake_parse_arguments(ARG "" "MODULE" "DEPS" ${ARGN})
    file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
    set(target unit_${ARG_MODULE})
    add_executable(${target} ${sources})
    target_link_libraries(${target} PRIVATE culex_${ARG_MODULE} ${ARG_DEPS} GTest::gtest_main GTest::gmock)
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
    gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60
        PROPERTIES ENVIRONMENT "CULEX_SOURCE_DIR=${PROJECT_SOURCE_DIR};CULEX_BINARY=${CMAKE_BINARY_DIR}/culex"
        TIMEOUT 120)
endfunction()
