# accrete_app_revision(<target>): records the application's revision in
# <target>, for accrete::get_app_info() (:revision, :revision-reproducible).
#
# At every build (not only at configure time, since the tree changes between
# builds) cmake/app_revision.cmake looks at the git checkout holding the
# target's sources:
#   - clean (no modified, staged or untracked files): the commit id, which
#     reproduces the build;
#   - dirty, or not a git checkout: the build requires an explicit name, which
#     says the build cannot be reproduced from a commit. It comes from the
#     ACCRETE_APP_REVISION environment variable at build time, else the
#     ACCRETE_APP_REVISION cache variable; without one the build fails, naming
#     the fix. A name given for a clean tree is ignored: the commit says more.
# See docs/ions.md.
set(ACCRETE_APP_REVISION "" CACHE STRING
  "The application's revision name for builds from a dirty tree (see accrete_app_revision)")
set(_ACCRETE_APP_REVISION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/app_revision.cmake)

function(accrete_app_revision target)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_app_revision.cpp)
  add_custom_target(${target}_app_revision
    COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${CMAKE_CURRENT_SOURCE_DIR} -DOUTPUT=${out}
            -DNAME=${ACCRETE_APP_REVISION} -DTARGET=${target} -P ${_ACCRETE_APP_REVISION_SCRIPT}
    BYPRODUCTS ${out}
    COMMENT "Recording the revision of ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
  add_dependencies(${target} ${target}_app_revision)
endfunction()
