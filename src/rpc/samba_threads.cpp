// Makes Samba's client libraries safe for connections used from different threads.
//
// Samba 4.17's talloc_stackframe() keeps its frame stack in one process-wide variable unless the
// program registers thread functions (lib/util/smb_threads.h; the header is not installed by
// samba-dev, the registration function is exported by the public libsamba-util as
// SAMBA_UTIL_0.0.1). Every synchronous Samba call (dcerpc_binding_handle_raw_call,
// dcerpc_pipe_connect, ...) pushes a frame, so two threads calling on two separate connections
// corrupted each other's stack ("Freed frame ..., expected ..." and an abort), measured with one
// thread held in EcDoAsyncWaitEx while another saved a message. With pthread-backed TLS each thread
// has its own stack. Samba 4.23 made the stack thread-local by itself; registering stays harmless there.
#include "rpc/samba_threads.hpp"

#include <pthread.h>

#include <talloc.h>

#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <mutex>

extern "C" {
// The layout of struct smb_thread_functions in Samba 4.17's lib/util/smb_threads.h.
struct smb_thread_functions {
  int (*create_mutex)(const char* lockname, void** pplock, const char* location);
  void (*destroy_mutex)(void* plock, const char* location);
  int (*lock_mutex)(void* plock, int lock_type, const char* location);
  int (*create_tls)(const char* keyname, void** ppkey, const char* location);
  void (*destroy_tls)(void** pkey, const char* location);
  int (*set_tls)(void* pkey, const void* pval, const char* location);
  void* (*get_tls)(void* pkey, const char* location);
};
int smb_thread_set_functions(const struct smb_thread_functions* tf);
}

namespace exmapi::rpc {
namespace {

constexpr int kSmbThreadLock = 1;  // SMB_THREAD_LOCK; SMB_THREAD_UNLOCK is 2

int create_mutex(const char*, void** lock, const char*) {
  auto* m = static_cast<pthread_mutex_t*>(std::malloc(sizeof(pthread_mutex_t)));
  if (m == nullptr) return ENOMEM;
  pthread_mutex_init(m, nullptr);
  *lock = m;
  return 0;
}
void destroy_mutex(void* lock, const char*) {
  pthread_mutex_destroy(static_cast<pthread_mutex_t*>(lock));
  std::free(lock);
}
int lock_mutex(void* lock, int type, const char*) {
  auto* m = static_cast<pthread_mutex_t*>(lock);
  return type == kSmbThreadLock ? pthread_mutex_lock(m) : pthread_mutex_unlock(m);
}
// The per-thread value behind the "talloc_stackframe" key: struct talloc_stackframe of Samba 4.17's
// lib/util/talloc_stack.c. Samba frees it only at process exit; a thread that ends leaves it, so
// the key's destructor frees the (by then empty) stack and the struct.
struct SambaTallocStackframe {
  int talloc_stacksize;
  int talloc_stack_arraysize;
  void** talloc_stack;  // talloc memory
};
void free_talloc_stackframe(void* value) {
  auto* ts = static_cast<SambaTallocStackframe*>(value);
  talloc_free(ts->talloc_stack);
  std::free(ts);
}

int create_tls(const char* keyname, void** key, const char*) {
  if (*key != nullptr) return 0;  // created once: Samba calls this under its once-guard
  auto* k = static_cast<pthread_key_t*>(std::malloc(sizeof(pthread_key_t)));
  if (k == nullptr) return ENOMEM;
  bool stackframe = keyname != nullptr && std::strcmp(keyname, "talloc_stackframe") == 0;
  int rc = pthread_key_create(k, stackframe ? free_talloc_stackframe : nullptr);
  if (rc != 0) {
    std::free(k);
    return rc;
  }
  *key = k;
  return 0;
}
void destroy_tls(void** key, const char*) {
  auto* k = static_cast<pthread_key_t*>(*key);
  pthread_key_delete(*k);
  std::free(k);
  *key = nullptr;
}
int set_tls(void* key, const void* value, const char*) {
  return key == nullptr ? EINVAL : pthread_setspecific(*static_cast<pthread_key_t*>(key), value);
}
// talloc_tos() and talloc_stackframe_exists() read the stack before anything created its key.
void* get_tls(void* key, const char*) {
  return key == nullptr ? nullptr : pthread_getspecific(*static_cast<pthread_key_t*>(key));
}

const smb_thread_functions kPthreadFunctions{create_mutex, destroy_mutex, lock_mutex, create_tls,
                                             destroy_tls,  set_tls,       get_tls};

}  // namespace

void register_samba_threads() {
  static std::once_flag once;
  std::call_once(once, [] { smb_thread_set_functions(&kPthreadFunctions); });
}

// Before main(): the registration must precede the first talloc_stackframe() of the process, and
// a frame stack set up without it would be read as a TLS key afterwards.
[[maybe_unused]] const bool kSambaThreadsRegistered = (register_samba_threads(), true);

}  // namespace exmapi::rpc
