# `make deb`: the culex Debian package (CPack's DEB generator), from the Release build in build/.
# The binary at /usr/bin/culex, the systemd unit, /etc/culex/culex.conf (a conffile), docs, a man page and
# the copyright file; postinst creates the culex system user and /var/lib/culex. packaging/ holds the sources.
set(CULEX_PACKAGING ${PROJECT_SOURCE_DIR}/packaging)
# cpack installs what `make deb` built (the culex target), without building every test first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# Debian wants man pages and changelogs compressed with gzip -9n (no name, no time: reproducible).
function(culex_gzip source target)
    execute_process(COMMAND gzip -9nc ${source} OUTPUT_FILE ${target} RESULT_VARIABLE failed)
    if(failed)
        message(FATAL_ERROR "gzip ${source} failed")
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${source})
endfunction()
culex_gzip(${CULEX_PACKAGING}/culex.1 ${CMAKE_BINARY_DIR}/culex.1.gz)
culex_gzip(${CULEX_PACKAGING}/debian/changelog ${CMAKE_BINARY_DIR}/changelog.gz)

install(TARGETS culex RUNTIME DESTINATION usr/bin)
# Debian's hardening for what its packages link: relocations resolved at start and then made read-only.
target_link_options(culex PRIVATE -Wl,-z,relro -Wl,-z,now)
install(FILES ${CULEX_PACKAGING}/culex.service DESTINATION lib/systemd/system)
install(FILES ${CULEX_PACKAGING}/culex.conf DESTINATION etc/culex)
install(FILES ${CMAKE_BINARY_DIR}/culex.1.gz DESTINATION usr/share/man/man1)
install(FILES ${CULEX_PACKAGING}/debian/copyright ${CMAKE_BINARY_DIR}/changelog.gz
    DESTINATION usr/share/doc/culex)
install(FILES ${CULEX_PACKAGING}/README.package DESTINATION usr/share/doc/culex RENAME README)
file(GLOB culex_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${culex_docs} DESTINATION usr/share/doc/culex)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME culex)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "fast and secure MQTT broker and toolkit")
# CPack puts the summary on the Description line itself: this is the extended text only.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "culex is an MQTT 3.1, 3.1.1 and 5.0 broker over TCP, TLS and WebSockets that
reads Mosquitto's configuration format and logs in Mosquitto's words, with
SQLite persistence. This package runs it as a hardened systemd service under
its own system user, listening on loopback by default. The same binary holds
the clients (pub, sub, rr) and tools (pki, passwd, doctor, sniff, bench).")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "culex maintainers <maintainers@users.noreply.r-seed-822d97a9.example>")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CULEX_PACKAGING}/debian/postinst ${CULEX_PACKAGING}/debian/prerm ${CULEX_PACKAGING}/debian/postrm
    ${CULEX_PACKAGING}/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
