# Install rules for the header-only library (included when TCPFSM_INSTALL is ON):
#   <prefix>/include/tcpfsm/*.hpp
#   <prefix>/share/cmake/tcpfsm/tcpfsm{Config,ConfigVersion,Targets}.cmake   find_package(tcpfsm)
#   <prefix>/share/pkgconfig/tcpfsm.pc                                        pkg-config tcpfsm
# Nothing depends on the architecture, so the package files go under datadir, not libdir.
include(CMakePackageConfigHelpers)

set(TCPFSM_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/tcpfsm"
    CACHE STRING "Where tcpfsm's CMake package files are installed (relative to the prefix)")
set(TCPFSM_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_DATADIR}/pkgconfig"
    CACHE STRING "Where tcpfsm.pc is installed (relative to the prefix)")

# Headers.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/tcpfsm"
    DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
    FILES_MATCHING PATTERN "*.hpp")

# The INTERFACE target, exported as tcpfsm::tcpfsm (the same name as the in-tree alias).
set_target_properties(tcpfsm PROPERTIES EXPORT_NAME tcpfsm)
install(TARGETS tcpfsm EXPORT tcpfsmTargets)
install(EXPORT tcpfsmTargets
    NAMESPACE tcpfsm::
    FILE tcpfsmTargets.cmake
    DESTINATION "${TCPFSM_INSTALL_CMAKEDIR}")

# Package config and version files.
configure_package_config_file(
    "${CMAKE_CURRENT_LIST_DIR}/tcpfsmConfig.cmake.in"
    "${PROJECT_BINARY_DIR}/tcpfsm-package/tcpfsmConfig.cmake"
    INSTALL_DESTINATION "${TCPFSM_INSTALL_CMAKEDIR}")
write_basic_package_version_file(
    "${PROJECT_BINARY_DIR}/tcpfsm-package/tcpfsmConfigVersion.cmake"
    VERSION "${PROJECT_VERSION}"
    COMPATIBILITY SameMinorVersion
    ARCH_INDEPENDENT)
install(FILES
    "${PROJECT_BINARY_DIR}/tcpfsm-package/tcpfsmConfig.cmake"
    "${PROJECT_BINARY_DIR}/tcpfsm-package/tcpfsmConfigVersion.cmake"
    DESTINATION "${TCPFSM_INSTALL_CMAKEDIR}")

# pkg-config. tcpfsm.pc is written at install time, so that prefix= names the prefix really
# installed to: `cmake --install <dir> --prefix <p>` may differ from CMAKE_INSTALL_PREFIX.
# Values known now are passed as bracket arguments: they reach the install script verbatim.
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
    set(_tcpfsm_pc_includedir "${CMAKE_INSTALL_INCLUDEDIR}")
else()
    set(_tcpfsm_pc_includedir "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
if(IS_ABSOLUTE "${TCPFSM_INSTALL_PKGCONFIGDIR}")
    set(_tcpfsm_pc_destination "${TCPFSM_INSTALL_PKGCONFIGDIR}")
else()
    set(_tcpfsm_pc_destination "\${CMAKE_INSTALL_PREFIX}/${TCPFSM_INSTALL_PKGCONFIGDIR}")
endif()
install(CODE "
    set(TCPFSM_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
    set(TCPFSM_PC_INCLUDEDIR [==[${_tcpfsm_pc_includedir}]==])
    set(TCPFSM_PC_NAME [==[${PROJECT_NAME}]==])
    set(TCPFSM_PC_DESCRIPTION [==[${PROJECT_DESCRIPTION}]==])
    set(TCPFSM_PC_VERSION [==[${PROJECT_VERSION}]==])
    configure_file([==[${CMAKE_CURRENT_LIST_DIR}/tcpfsm.pc.in]==]
                   [==[${PROJECT_BINARY_DIR}/tcpfsm-package/tcpfsm.pc]==] @ONLY)
    file(INSTALL DESTINATION \"${_tcpfsm_pc_destination}\" TYPE FILE
         FILES [==[${PROJECT_BINARY_DIR}/tcpfsm-package/tcpfsm.pc]==])
")
unset(_tcpfsm_pc_includedir)
unset(_tcpfsm_pc_destination)
