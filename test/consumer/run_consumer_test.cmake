# Driver of one consumer test: `cmake -DMODE=<mode> ... -P run_consumer_test.cmake`.
# Every mode starts from an empty WORK_DIR, builds a consumer of tcpfsm as a separate
# project (or a bare compiler call) and runs the program it built.
#   install          configure tcpfsm alone, `cmake --install --prefix`, check the installed tree
#   find_package     consumer project: find_package(tcpfsm CONFIG REQUIRED) from that prefix
#   pkg_config       `pkg-config --cflags tcpfsm` from that prefix, then a bare compiler call
#   add_subdirectory consumer project: add_subdirectory(<tcpfsm source>)
#   fetchcontent     consumer project: FetchContent_Declare(SOURCE_DIR) + MakeAvailable
#   single_include   bare compiler call with only -I single_include
#   single_header_copy  single_include/tcpfsm/tcpfsm.hpp copied ALONE into an empty directory
#                    with single_header.cpp (engine + listener + wire codec), compiled there
#                    with no -I at all
# Inputs (-D): MODE WORK_DIR TCPFSM_SOURCE_DIR CONSUMER_DIR CXX_COMPILER GENERATOR
#              MAKE_PROGRAM CXX_STANDARD EXPECTED_VERSION INSTALL_PREFIX
cmake_minimum_required(VERSION 3.16)

foreach(var MODE WORK_DIR TCPFSM_SOURCE_DIR CONSUMER_DIR CXX_COMPILER GENERATOR EXPECTED_VERSION
            INSTALL_PREFIX)
    if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
        message(FATAL_ERROR "run_consumer_test.cmake: -D${var}=... is required")
    endif()
endforeach()
if(NOT CXX_STANDARD)
    set(CXX_STANDARD 17)  # the library's baseline
endif()

# run(<step description> <command...>): runs the command, fails the test if it fails.
function(run what)
    message(STATUS "consumer.${MODE}: ${what}")
    execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
    if(NOT rc STREQUAL "0")
        message(FATAL_ERROR "consumer.${MODE}: ${what}: failed (${rc})\n  command: ${ARGN}")
    endif()
endfunction()

function(fail text)
    message(FATAL_ERROR "consumer.${MODE}: ${text}" ${ARGN})
endfunction()

# The consumer program, as a project user's code would build it.
set(consumer_source "${CONSUMER_DIR}/consumer.cpp")
set(version_define "-DTCPFSM_CONSUMER_EXPECTED_VERSION=\"${EXPECTED_VERSION}\"")
if(CMAKE_HOST_WIN32)
    set(exe_suffix ".exe")
else()
    set(exe_suffix "")
endif()

# build_and_run_project(<consumer project dir> <cmake -D args...>): configure, build with the
# outer build's compiler and generator, then run the program it built.
function(build_and_run_project project_dir)
    set(bin "${WORK_DIR}/build")
    set(generator_args -G "${GENERATOR}")
    if(MAKE_PROGRAM)
        list(APPEND generator_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
    run("configure ${project_dir}"
        "${CMAKE_COMMAND}" -S "${project_dir}" -B "${bin}" ${generator_args}
        "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
        -DCMAKE_BUILD_TYPE=Release
        # one known place for the program, with single- and multi-config generators
        "-DCMAKE_RUNTIME_OUTPUT_DIRECTORY=${WORK_DIR}/out"
        "-DCMAKE_RUNTIME_OUTPUT_DIRECTORY_RELEASE=${WORK_DIR}/out"
        "-DTCPFSM_CONSUMER_SOURCE=${consumer_source}"
        "-DTCPFSM_EXPECTED_VERSION=${EXPECTED_VERSION}"
        ${ARGN})
    run("build" "${CMAKE_COMMAND}" --build "${bin}" --config Release)
    run("run the consumer" "${WORK_DIR}/out/tcpfsm_consumer${exe_suffix}")
endfunction()

# compile_and_run(<include dir the tcpfsm headers must come from> <compiler args...>):
# a bare compiler call; the dependency file shows which tcpfsm.hpp was compiled.
function(compile_and_run expected_include_dir)
    set(program "${WORK_DIR}/tcpfsm_consumer${exe_suffix}")
    run("compile with ${CXX_COMPILER}"
        "${CXX_COMPILER}" "-std=c++${CXX_STANDARD}" ${ARGN} "${version_define}"
        -MMD -MF "${WORK_DIR}/consumer.d"
        "${consumer_source}" -o "${program}")
    file(READ "${WORK_DIR}/consumer.d" deps)
    string(REPLACE "\\\n" " " deps "${deps}")
    # Every tcpfsm header (subfolders of tcpfsm/ too) must come from expected_include_dir.
    string(REGEX MATCHALL "[^ \t\n]*/tcpfsm/[^ \t\n]*\\.hpp" used "${deps}")
    if(NOT "${used}" MATCHES "/tcpfsm/tcpfsm\\.hpp")
        fail("the dependency file lists no tcpfsm/tcpfsm.hpp:\n${deps}")
    endif()
    get_filename_component(expected_dir "${expected_include_dir}/tcpfsm" REALPATH)
    string(LENGTH "${expected_dir}/" n)
    foreach(header IN LISTS used)
        get_filename_component(real "${header}" REALPATH)
        string(SUBSTRING "${real}" 0 ${n} head)
        if(NOT head STREQUAL "${expected_dir}/")
            fail("the compiled ${header} is not under ${expected_dir}")
        endif()
    endforeach()
    run("run the consumer" "${program}")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

if(MODE STREQUAL "install")
    # tcpfsm configured on its own (nothing but the library), installed to a prefix other than
    # the configured one: both the CMake package and tcpfsm.pc must follow --prefix.
    set(lib_build "${WORK_DIR}/tcpfsm-build")
    file(REMOVE_RECURSE "${INSTALL_PREFIX}")  # install never skips a file as up to date
    set(generator_args -G "${GENERATOR}")
    if(MAKE_PROGRAM)
        list(APPEND generator_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
    endif()
    run("configure tcpfsm"
        "${CMAKE_COMMAND}" -S "${TCPFSM_SOURCE_DIR}" -B "${lib_build}" ${generator_args}
        "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}"
        "-DCMAKE_INSTALL_PREFIX=${WORK_DIR}/configured-prefix"
        -DTCPFSM_INSTALL=ON -DTCPFSM_BUILD_TESTS=OFF -DTCPFSM_BUILD_EXAMPLES=OFF
        -DTCPFSM_BUILD_TOOLS=OFF -DTCPFSM_BUILD_BENCHMARKS=OFF)
    run("build tcpfsm" "${CMAKE_COMMAND}" --build "${lib_build}")
    run("install tcpfsm" "${CMAKE_COMMAND}" --install "${lib_build}" --prefix "${INSTALL_PREFIX}")

    if(EXISTS "${WORK_DIR}/configured-prefix")
        fail("something was installed to the configured prefix instead of --prefix")
    endif()

    # Headers: exactly the ones of include/tcpfsm (subfolders too), byte for byte.
    file(GLOB_RECURSE source_headers RELATIVE "${TCPFSM_SOURCE_DIR}/include/tcpfsm"
         "${TCPFSM_SOURCE_DIR}/include/tcpfsm/*.hpp")
    file(GLOB_RECURSE installed_headers RELATIVE "${INSTALL_PREFIX}/include/tcpfsm"
         "${INSTALL_PREFIX}/include/tcpfsm/*")
    list(SORT source_headers)
    list(SORT installed_headers)
    if(NOT source_headers OR NOT source_headers STREQUAL installed_headers)
        fail("installed headers '${installed_headers}' differ from include/tcpfsm '${source_headers}'")
    endif()
    foreach(h IN LISTS source_headers)
        file(SHA256 "${TCPFSM_SOURCE_DIR}/include/tcpfsm/${h}" want)
        file(SHA256 "${INSTALL_PREFIX}/include/tcpfsm/${h}" got)
        if(NOT want STREQUAL got)
            fail("installed ${h} differs from include/tcpfsm/${h}")
        endif()
    endforeach()

    # Everything else: the package files, under datadir (header only: no libdir).
    set(package_files
        share/cmake/tcpfsm/tcpfsmConfig.cmake
        share/cmake/tcpfsm/tcpfsmConfigVersion.cmake
        share/cmake/tcpfsm/tcpfsmTargets.cmake
        share/pkgconfig/tcpfsm.pc)
    set(expected_files ${package_files})
    foreach(h IN LISTS source_headers)
        list(APPEND expected_files "include/tcpfsm/${h}")
    endforeach()
    file(GLOB_RECURSE installed_files RELATIVE "${INSTALL_PREFIX}" "${INSTALL_PREFIX}/*")
    list(SORT expected_files)
    list(SORT installed_files)
    if(NOT installed_files STREQUAL expected_files)
        string(REPLACE ";" "\n    " got "${installed_files}")
        string(REPLACE ";" "\n    " want "${expected_files}")
        fail("installed tree:\n    ${got}\nexpected:\n    ${want}")
    endif()

    # Relocatable: no installed package file names the source, build or configured prefix.
    # The prefix installed to is allowed (tcpfsm.pc records it); it is cut out first, since
    # a build tree inside the source tree puts the source path in front of it.
    foreach(f IN LISTS package_files)
        file(READ "${INSTALL_PREFIX}/${f}" text)
        string(REPLACE "${INSTALL_PREFIX}" "<prefix>" text "${text}")
        foreach(path "${TCPFSM_SOURCE_DIR}" "${lib_build}" "${WORK_DIR}/configured-prefix")
            string(FIND "${text}" "${path}" at)
            if(NOT at EQUAL -1)
                fail("${f} names '${path}'")
            endif()
        endforeach()
    endforeach()

    # tcpfsm.pc: the prefix installed to, and the project's version.
    file(STRINGS "${INSTALL_PREFIX}/share/pkgconfig/tcpfsm.pc" pc_prefix REGEX "^prefix=")
    file(STRINGS "${INSTALL_PREFIX}/share/pkgconfig/tcpfsm.pc" pc_version REGEX "^Version:")
    if(NOT pc_prefix STREQUAL "prefix=${INSTALL_PREFIX}" OR NOT pc_version STREQUAL "Version: ${EXPECTED_VERSION}")
        fail("tcpfsm.pc has '${pc_prefix}' and '${pc_version}'")
    endif()

    # The version file answers as find_package would ask it: SameMinorVersion (until 1.0 a
    # minor version may break the API, semver item 4), and no
    # 32/64-bit check (ARCH_INDEPENDENT) since the package is header only.
    string(REPLACE "." ";" v "${EXPECTED_VERSION}")
    list(GET v 0 major)
    list(GET v 1 minor)
    list(GET v 2 patch)
    math(EXPR next_major "${major} + 1")
    math(EXPR next_patch "${patch} + 1")
    math(EXPR next_minor "${minor} + 1")
    function(expect_compatible requested expected)
        string(REPLACE "." ";" r "${requested}")
        list(GET r 0 PACKAGE_FIND_VERSION_MAJOR)
        list(GET r 1 PACKAGE_FIND_VERSION_MINOR)
        list(GET r 2 PACKAGE_FIND_VERSION_PATCH)
        set(PACKAGE_FIND_NAME tcpfsm)
        set(PACKAGE_FIND_VERSION "${requested}")
        set(PACKAGE_FIND_VERSION_COUNT 3)
        set(CMAKE_SIZEOF_VOID_P 2)  # an architecture no build has: must not matter
        set(PACKAGE_VERSION_COMPATIBLE "")
        set(PACKAGE_VERSION_UNSUITABLE FALSE)
        include("${INSTALL_PREFIX}/share/cmake/tcpfsm/tcpfsmConfigVersion.cmake")
        if(PACKAGE_VERSION_UNSUITABLE)
            set(PACKAGE_VERSION_COMPATIBLE FALSE)
        endif()
        if((PACKAGE_VERSION_COMPATIBLE AND NOT expected) OR (NOT PACKAGE_VERSION_COMPATIBLE AND expected))
            fail("version file: tcpfsm ${EXPECTED_VERSION} for a request of ${requested}: "
                 "compatible='${PACKAGE_VERSION_COMPATIBLE}' unsuitable='${PACKAGE_VERSION_UNSUITABLE}', "
                 "expected compatible=${expected}")
        endif()
    endfunction()
    expect_compatible("${major}.${minor}.${patch}" TRUE)        # itself
    expect_compatible("${major}.${minor}.0" TRUE)               # an older patch, same minor
    expect_compatible("${major}.${next_minor}.0" FALSE)         # another minor
    expect_compatible("${major}.${minor}.${next_patch}" FALSE)  # newer than installed
    expect_compatible("${next_major}.0.0" FALSE)                # another major

elseif(MODE STREQUAL "find_package")
    build_and_run_project("${CONSUMER_DIR}/find_package"
        "-DCMAKE_PREFIX_PATH=${INSTALL_PREFIX}"
        "-DTCPFSM_EXPECTED_PREFIX=${INSTALL_PREFIX}")

elseif(MODE STREQUAL "pkg_config")
    find_program(PKG_CONFIG_EXECUTABLE NAMES pkg-config pkgconf)
    if(NOT PKG_CONFIG_EXECUTABLE)
        fail("pkg-config not found (Debian: apt-get install pkg-config)")
    endif()
    set(ENV{PKG_CONFIG_PATH} "${INSTALL_PREFIX}/share/pkgconfig")
    execute_process(COMMAND "${PKG_CONFIG_EXECUTABLE}" --modversion tcpfsm
                    RESULT_VARIABLE rc OUTPUT_VARIABLE version OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc STREQUAL "0" OR NOT version STREQUAL EXPECTED_VERSION)
        fail("pkg-config --modversion tcpfsm: '${version}' (${rc}), expected '${EXPECTED_VERSION}'")
    endif()
    execute_process(COMMAND "${PKG_CONFIG_EXECUTABLE}" --cflags tcpfsm
                    RESULT_VARIABLE rc OUTPUT_VARIABLE cflags OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT rc STREQUAL "0" OR NOT cflags STREQUAL "-I${INSTALL_PREFIX}/include")
        fail("pkg-config --cflags tcpfsm: '${cflags}' (${rc}), expected '-I${INSTALL_PREFIX}/include'")
    endif()
    separate_arguments(cflags UNIX_COMMAND "${cflags}")
    compile_and_run("${INSTALL_PREFIX}/include" ${cflags})

elseif(MODE STREQUAL "add_subdirectory")
    build_and_run_project("${CONSUMER_DIR}/add_subdirectory" "-DTCPFSM_SOURCE_DIR=${TCPFSM_SOURCE_DIR}")

elseif(MODE STREQUAL "fetchcontent")
    build_and_run_project("${CONSUMER_DIR}/fetchcontent" "-DTCPFSM_SOURCE_DIR=${TCPFSM_SOURCE_DIR}")

elseif(MODE STREQUAL "single_include")
    set(single_include "${TCPFSM_SOURCE_DIR}/single_include")
    if(NOT EXISTS "${single_include}/tcpfsm/tcpfsm.hpp")
        fail("${single_include}/tcpfsm/tcpfsm.hpp does not exist: generate the single header first")
    endif()
    # The single header is compiled as user code (-I, not -isystem), with strict warnings.
    compile_and_run("${single_include}" "-I${single_include}"
        -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror)

elseif(MODE STREQUAL "single_header_copy")
    # What a user does with the single header: copy the one file into a project. Nothing of
    # tcpfsm's tree is on the include path: the program includes "tcpfsm.hpp" beside it.
    set(single_header "${TCPFSM_SOURCE_DIR}/single_include/tcpfsm/tcpfsm.hpp")
    if(NOT EXISTS "${single_header}")
        fail("${single_header} does not exist: generate the single header first")
    endif()
    set(project "${WORK_DIR}/project")
    file(MAKE_DIRECTORY "${project}")
    file(COPY "${single_header}" "${CONSUMER_DIR}/single_header.cpp" DESTINATION "${project}")
    set(program "${WORK_DIR}/tcpfsm_single_header${exe_suffix}")
    run("compile with ${CXX_COMPILER}"
        "${CXX_COMPILER}" "-std=c++${CXX_STANDARD}" -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Werror
        -MMD -MF "${WORK_DIR}/single_header.d"
        "${project}/single_header.cpp" -o "${program}")
    # The dependency file: the copied header and no other file of tcpfsm's source tree.
    file(READ "${WORK_DIR}/single_header.d" deps)
    string(REPLACE "\\\n" " " deps "${deps}")
    string(FIND "${deps}" "${project}/tcpfsm.hpp" at)
    if(at EQUAL -1)
        fail("the dependency file lists no ${project}/tcpfsm.hpp:\n${deps}")
    endif()
    foreach(dir include single_include)
        string(FIND "${deps}" "${TCPFSM_SOURCE_DIR}/${dir}/" at)
        if(NOT at EQUAL -1)
            fail("the program used a file of tcpfsm's ${dir}/:\n${deps}")
        endif()
    endforeach()
    run("run the program" "${program}")

else()
    fail("unknown MODE '${MODE}'")
endif()
