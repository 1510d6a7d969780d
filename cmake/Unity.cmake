# Unity builds per folder: each folder's .cpp files are concatenated into chunks of at most
# IRON_UNITY_BATCH files, so the heavy headers (nlohmann/json ~3 s, CLI11 ~8 s, httplib ~3.5 s
# per including TU, see /work/shared/reference/toolchain-notes.md) are parsed once per chunk
# instead of once per file. Chunks never straddle folders: a folder's file-local helpers only
# have to be unique within that folder. A one-file change recompiles its whole chunk, which is
# why chunks stay small (the batch size was chosen on measured rebuild times, docs in
# CMakePresets.json's `dev` preset description).
option(IRON_UNITY "Compile each folder's sources as unity chunks" ON)
set(IRON_UNITY_BATCH 8 CACHE STRING "Most .cpp files per unity chunk")

# iron_unity_groups(<target> <source>...): puts each source into the chunk "<folder>_<n>".
function(iron_unity_groups target)
  if(NOT IRON_UNITY)
    return()
  endif()
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
  set(sources ${ARGN})
  list(SORT sources)
  set(folders "")
  foreach(source IN LISTS sources)
    get_filename_component(folder "${source}" DIRECTORY)
    string(MAKE_C_IDENTIFIER "${folder}" key)
    if(NOT DEFINED count_${key})
      set(count_${key} 0)
    endif()
    math(EXPR chunk "${count_${key}} / ${IRON_UNITY_BATCH}")
    math(EXPR count_${key} "${count_${key}} + 1")
    get_filename_component(name "${folder}" NAME)
    set_source_files_properties("${source}" PROPERTIES UNITY_GROUP "${name}_${chunk}")
  endforeach()
endfunction()
