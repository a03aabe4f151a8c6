// Thread-local frame stacks for Samba's client libraries (see samba_threads.cpp for why).
#pragma once

namespace exmapi::rpc {

// Registers pthread-backed thread functions with Samba once per process. Runs before main() from
// this file's static initializer; calling it again does nothing.
void register_samba_threads();

}  // namespace exmapi::rpc
