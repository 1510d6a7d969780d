#pragma once
// Version and build SHA, compiled into one generated translation unit (so a new commit
// does not recompile the whole tree).
namespace iron::util {

const char* build_version();
const char* build_sha();

}  // namespace iron::util
