#include "server/rpc_host.hpp"

#include <arpa/inet.h>
#include <sys/eventfd.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <iostream>
#include <chrono>
#include <list>
#include <memory>
#include <mutex>
#include <set>

#include "base/error.hpp"
#include "server/rpc_auth.hpp"
#include "server/samba_headers.hpp"

namespace exmapi::server {

namespace {

// One registered interface: Samba's description plus our handler. Kept at a stable address: the
// interface's private_data points here.
struct Interface {
  std::string name;
  std::string uuid;
  uint16_t major = 0, minor = 0;
  RpcHandler handler;
  DeferredRpcHandler deferred;
  dcesrv_interface iface{};
};

// A call's stub on its way through Samba's pull → dispatch → push steps.
struct RawCall {
  DATA_BLOB in;
  DATA_BLOB out;
};

class HostDeferredReply;

}  // namespace

struct RpcHost::Impl {
  TALLOC_CTX* root = nullptr;
  tevent_context* ev = nullptr;
  loadparm_context* lp = nullptr;
  dcesrv_context* dce = nullptr;
  dcesrv_context_callbacks callbacks{};
  std::list<Interface> interfaces;
  std::function<void(uint64_t)> disconnect_fn;
  int listen_fd = -1;
  uint64_t next_connection = 1;
  bool stopping = false;
  std::unique_ptr<Authenticator> authenticator;
  AccountLookup lookup;
  bool require_authentication = false;

  // Work other threads hand to the loop (run_on_loop).
  struct Task {
    const std::function<void()>* fn;
    std::exception_ptr error;
    bool done = false;
  };
  std::mutex tasks_mutex;
  std::condition_variable tasks_done;
  std::deque<Task*> tasks;
  bool loop_ended = false;
  int wake_fd = -1;
  // The live connections (talloc pointers): freed before the rest of `root`, so that their calls'
  // deferred replies still find their timers.
  std::set<void*> connections;
  // Deferred calls not answered yet (HostDeferredReply).
  std::set<HostDeferredReply*> deferred;
};

namespace {

// Per accepted connection: the talloc parent of Samba's dcesrv_connection.
struct Connection {
  RpcHost::Impl* host;
  uint64_t id;
  dcesrv_connection* conn;
  bool terminating;
};

void become_root_noop() {}
void unbecome_root_noop() {}

NTSTATUS no_gensec(TALLOC_CTX*, dcesrv_call_state*, gensec_security**, void*) { return NT_STATUS_NOT_SUPPORTED; }

int assoc_group_destructor(dcesrv_assoc_group* g) {
  idr_remove(g->dce_ctx->assoc_groups_idr, static_cast<int>(g->id));
  return 0;
}

// Every bind asks for its association group: a new one for id 0, else the one the client names
// (MS-RPCE 3.3.1.5.4), which must exist on this transport.
NTSTATUS find_assoc_group(dcesrv_call_state* call, void*) {
  dcesrv_connection* conn = call->conn;
  dcesrv_context* dce = conn->dce_ctx;
  // C++ sees dcesrv_context's nested struct apart from the one the function prototypes name.
  auto* ep = reinterpret_cast<const dcesrv_context::dcesrv_endpoint*>(conn->endpoint);
  enum dcerpc_transport_t transport = dcerpc_binding_get_transport(ep->ep_description);
  uint32_t wanted = call->pkt.u.bind.assoc_group_id;
  if (wanted != 0) {
    void* p = idr_find(dce->assoc_groups_idr, static_cast<int>(wanted));
    if (p == nullptr) return NT_STATUS_NOT_FOUND;
    auto* g = static_cast<dcesrv_assoc_group*>(p);
    if (g->transport != transport) return NT_STATUS_INVALID_PARAMETER;
    conn->assoc_group = static_cast<dcesrv_assoc_group*>(talloc_reference(conn, g));
    return conn->assoc_group ? NT_STATUS_OK : NT_STATUS_NO_MEMORY;
  }
  auto* g = talloc_zero(conn, dcesrv_assoc_group);
  if (g == nullptr) return NT_STATUS_NO_MEMORY;
  int id = idr_get_new_random(dce->assoc_groups_idr, g, UINT16_MAX);
  if (id == -1) {
    talloc_free(g);
    return NT_STATUS_INSUFFICIENT_RESOURCES;
  }
  g->id = static_cast<uint32_t>(id);
  g->transport = transport;
  g->dce_ctx = dce;
  talloc_set_destructor(g, assoc_group_destructor);
  conn->assoc_group = g;
  return NT_STATUS_OK;
}

NTSTATUS iface_bind(dcesrv_connection_context* context, const dcesrv_interface* iface) {
  return dcesrv_interface_bind_allow_connect(context, iface);
}

NTSTATUS iface_ndr_pull(dcesrv_call_state* call, TALLOC_CTX* mem, ndr_pull* pull, void** r) {
  auto* raw = talloc_zero(mem, RawCall);
  if (raw == nullptr) return NT_STATUS_NO_MEMORY;
  uint32_t n = pull->data_size - pull->offset;
  raw->in = data_blob_talloc(raw, pull->data + pull->offset, n);
  if (n != 0 && raw->in.data == nullptr) return NT_STATUS_NO_MEMORY;
  pull->offset = pull->data_size;
  (void)call;
  *r = raw;
  return NT_STATUS_OK;
}

CallerIdentity identity_of(dcesrv_call_state* call) {
  CallerIdentity who;
  enum dcerpc_AuthType type = DCERPC_AUTH_TYPE_NONE;
  enum dcerpc_AuthLevel level = DCERPC_AUTH_LEVEL_NONE;
  dcesrv_call_auth_info(call, &type, &level);
  who.auth_type = static_cast<uint8_t>(type);
  who.auth_level = static_cast<uint8_t>(level);
  if (type != DCERPC_AUTH_TYPE_NONE && dcesrv_call_authenticated(call)) {
    if (const char* name = dcesrv_call_account_name(call)) who.account = name;
  }
  auto* c = static_cast<Connection*>(call->conn->transport.private_data);
  who.connection = c->id;
  return who;
}

// ---- deferred replies ------------------------------------------------------------------------------
// A call answered after its dispatch returned. Samba owns the call: a Guard, talloc child of the
// call, keeps this object alive while the call exists and tells it when the call goes. Its timers
// hang off the host's root and are cancelled by pointer, so that none is freed while it runs.
struct Guard {
  std::shared_ptr<HostDeferredReply>* self;
};

void send_deferred(tevent_context*, tevent_timer*, timeval, void* p);
void deferred_timeout(tevent_context*, tevent_timer*, timeval, void* p);

class HostDeferredReply final : public DeferredReply {
 public:
  HostDeferredReply(RpcHost::Impl* host, dcesrv_call_state* call, RawCall* raw) : host_(host), call_(call), raw_(raw) {}
  ~HostDeferredReply() override { cancel_timers(); }

  void reply(Bytes stub) override { finish(&stub, 0); }
  void fault(uint32_t code) override { finish(nullptr, code ? code : kFaultOther); }
  bool answered() const override { return answered_; }
  void set_timeout(std::chrono::milliseconds delay, std::function<void()> fn) override {
    if (answered_ || call_ == nullptr) return;
    if (timeout_timer_) talloc_free(timeout_timer_);
    timeout_fn_ = std::move(fn);
    auto ms = delay.count() < 0 ? 0 : delay.count();
    timeval at = tevent_timeval_current_ofs(static_cast<uint32_t>(ms / 1000), static_cast<uint32_t>(ms % 1000) * 1000);
    timeout_timer_ = tevent_add_timer(host_->ev, host_->root, at, deferred_timeout, this);
  }
  void on_abandon(std::function<void()> fn) override { abandon_fn_ = std::move(fn); }

  // The handler returned: an answer given meanwhile is the synchronous reply; otherwise the call
  // joins the host's pending calls.
  void end_dispatch() {
    dispatching_ = false;
    if (!answered_) host_->deferred.insert(this);
  }
  // Samba 4.17 has no cancellation for a pending call: when its client goes, the connection's
  // termination waits for the call (conn->terminate set). The loop looks for those after each turn.
  bool client_gone() const { return call_ != nullptr && call_->conn->terminate != nullptr; }
  uint32_t fault_code() const { return fault_code_; }
  void mark_answered() { answered_ = true; }

  // Samba frees the call (sent, or its connection gone).
  void call_gone() {
    host_->deferred.erase(this);
    call_ = nullptr;
    cancel_timers();
    if (!answered_) abandon();
    timeout_fn_ = nullptr;
  }
  // The client went away with the call pending: let the service go, then let Samba drop the call.
  void cancelled() {
    if (!answered_) abandon();
    schedule_send();
  }
  void timed_out() {
    timeout_timer_ = nullptr;
    if (answered_) return;
    auto fn = std::move(timeout_fn_);
    timeout_fn_ = nullptr;
    if (fn) fn();
  }
  // Hands the answer to Samba, from the loop's top level (never inside another call's dispatch).
  void send() {
    send_timer_ = nullptr;
    dcesrv_call_state* call = call_;
    if (call == nullptr) return;
    RpcHost::Impl* host = host_;
    dcesrv_connection* conn = call->conn;
    NTSTATUS st = dcesrv_reply(call);  // may free the call, and with it this object
    if (!NT_STATUS_IS_OK(st)) dcesrv_terminate_connection(conn, nt_errstr(st));
    // A connection whose end waited for this call can go now.
    dcesrv_cleanup_broken_connections(host->dce);
  }

 private:
  void finish(const Bytes* stub, uint32_t code) {
    if (answered_) return;
    answered_ = true;
    host_->deferred.erase(this);
    timeout_fn_ = nullptr;
    abandon_fn_ = nullptr;
    if (call_ == nullptr) return;
    if (code != 0) {
      fault_code_ = code;
      call_->fault_code = code;
    } else {
      raw_->out = data_blob_talloc(raw_, stub->data(), stub->size());
      if (!stub->empty() && raw_->out.data == nullptr) {
        fault_code_ = DCERPC_FAULT_OTHER;
        call_->fault_code = DCERPC_FAULT_OTHER;
      }
    }
    if (!dispatching_) schedule_send();
  }
  void abandon() {
    answered_ = true;
    host_->deferred.erase(this);
    auto fn = std::move(abandon_fn_);
    abandon_fn_ = nullptr;
    try {
      if (fn) fn();
    } catch (const std::exception& e) {
      std::cerr << "exmapi-server: releasing an abandoned call failed: " << e.what() << "\n";
    }
  }
  void schedule_send() {
    if (send_timer_ || call_ == nullptr) return;
    timeval now{0, 0};
    send_timer_ = tevent_add_timer(host_->ev, host_->root, now, send_deferred, this);
    if (send_timer_ == nullptr) send();
  }
  void cancel_timers() {
    if (timeout_timer_) talloc_free(timeout_timer_);
    if (send_timer_) talloc_free(send_timer_);
    timeout_timer_ = send_timer_ = nullptr;
  }

  RpcHost::Impl* host_;
  dcesrv_call_state* call_;
  RawCall* raw_;
  bool dispatching_ = true, answered_ = false;
  uint32_t fault_code_ = 0;
  tevent_timer *timeout_timer_ = nullptr, *send_timer_ = nullptr;
  std::function<void()> timeout_fn_, abandon_fn_;
};

void send_deferred(tevent_context*, tevent_timer*, timeval, void* p) { static_cast<HostDeferredReply*>(p)->send(); }
void deferred_timeout(tevent_context*, tevent_timer*, timeval, void* p) {
  try {
    static_cast<HostDeferredReply*>(p)->timed_out();
  } catch (const std::exception& e) {
    std::cerr << "exmapi-server: a deferred call's timeout failed: " << e.what() << "\n";
  }
}

// Deferred calls whose client has gone: the service lets go of them and Samba drops them, which
// lets the connection end.
void release_abandoned_calls(RpcHost::Impl& h) {
  if (h.deferred.empty()) return;
  std::vector<HostDeferredReply*> gone;
  for (HostDeferredReply* r : h.deferred)
    if (r->client_gone()) gone.push_back(r);
  for (HostDeferredReply* r : gone)
    if (h.deferred.count(r)) r->cancelled();
}

int guard_destructor(Guard* g) {
  (*g->self)->call_gone();
  delete g->self;
  return 0;
}

// Attaches a deferred reply to `call`; null when out of memory.
std::shared_ptr<HostDeferredReply> defer(RpcHost::Impl* host, dcesrv_call_state* call, RawCall* raw) {
  auto reply = std::make_shared<HostDeferredReply>(host, call, raw);
  auto* g = talloc_zero(call, Guard);
  if (g == nullptr) return nullptr;
  g->self = new std::shared_ptr<HostDeferredReply>(reply);
  talloc_set_destructor(g, guard_destructor);
  return reply;
}

NTSTATUS iface_dispatch(dcesrv_call_state* call, TALLOC_CTX*, void* r) {
  auto* raw = static_cast<RawCall*>(r);
  auto* entry = static_cast<const Interface*>(call->context->iface->private_data);
  uint16_t opnum = call->pkt.u.request.opnum;
  std::shared_ptr<HostDeferredReply> deferred;
  try {
    CallerIdentity who = identity_of(call);
    auto* c = static_cast<Connection*>(call->conn->transport.private_data);
    if (c->host->require_authentication && !who.authenticated()) throw RpcFault(kFaultAccessDenied, "an anonymous call where authentication is required");
    if (entry->deferred) {
      deferred = defer(c->host, call, raw);
      if (!deferred) throw std::bad_alloc();
      entry->deferred(opnum, ByteView(raw->in.data, raw->in.length), who, deferred);
      deferred->end_dispatch();
      if (!deferred->answered()) {
        call->state_flags |= DCESRV_CALL_STATE_FLAG_ASYNC;
        return NT_STATUS_OK;
      }
      if (deferred->fault_code() == 0) return NT_STATUS_OK;
      call->fault_code = deferred->fault_code();
      return NT_STATUS_NET_WRITE_FAULT;
    }
    Bytes out = entry->handler(opnum, ByteView(raw->in.data, raw->in.length), who);
    raw->out = data_blob_talloc(raw, out.data(), out.size());
    if (!out.empty() && raw->out.data == nullptr) throw std::bad_alloc();
    return NT_STATUS_OK;
  } catch (const RpcFault& f) {
    if (deferred) deferred->mark_answered();
    call->fault_code = f.code();
  } catch (const DecodeError& e) {
    if (deferred) deferred->mark_answered();
    std::cerr << "exmapi-server: " << entry->name << " opnum " << opnum << ": undecodable request: " << e.what()
              << "\n";
    call->fault_code = DCERPC_FAULT_NDR;
  } catch (const std::exception& e) {
    if (deferred) deferred->mark_answered();
    std::cerr << "exmapi-server: " << entry->name << " opnum " << opnum << " failed: " << e.what() << "\n";
    call->fault_code = DCERPC_FAULT_OTHER;
  }
  return NT_STATUS_NET_WRITE_FAULT;
}

// A deferred call that ended in a fault has its fault_code set.
NTSTATUS iface_reply(dcesrv_call_state* call, TALLOC_CTX*, void*) {
  return call->fault_code != 0 ? NT_STATUS_NET_WRITE_FAULT : NT_STATUS_OK;
}

NTSTATUS iface_ndr_push(dcesrv_call_state*, TALLOC_CTX*, ndr_push* push, const void* r) {
  auto* raw = static_cast<const RawCall*>(r);
  if (raw->out.length == 0) return NT_STATUS_OK;
  enum ndr_err_code err = ndr_push_bytes(push, raw->out.data, static_cast<uint32_t>(raw->out.length));
  return ndr_map_error2ntstatus(err);
}

int connection_destructor(Connection* c) {
  c->host->connections.erase(c);
  if (c->host->disconnect_fn) c->host->disconnect_fn(c->id);
  return 0;
}

void free_connection(tevent_context*, tevent_timer*, timeval, void* p) { talloc_free(p); }

// Samba asks us to drop a connection from deep inside its own callbacks: free it on the next loop
// turn, once those have returned.
void terminate_connection(dcesrv_connection* conn, const char* reason) {
  auto* c = static_cast<Connection*>(conn->transport.private_data);
  if (c->terminating) return;
  c->terminating = true;
  (void)reason;
  timeval now{0, 0};
  if (tevent_add_timer(c->host->ev, c->host->root, now, free_connection, c) == nullptr) talloc_free(c);
}

// The identity an unauthenticated connection runs as: a token with only S-1-5-7 (Anonymous
// Logon). The core dereferences the token and the user info, so neither may be missing.
auth_session_info* anonymous_session(TALLOC_CTX* mem) {
  auto* s = talloc_zero(mem, auth_session_info);
  if (s == nullptr) return nullptr;
  s->security_token = talloc_zero(s, security_token);
  s->info = talloc_zero(s, auth_user_info);
  if (!s->security_token || !s->info) return nullptr;
  auto* sid = talloc_zero(s->security_token, dom_sid);
  if (sid == nullptr) return nullptr;
  sid->sid_rev_num = 1;
  sid->num_auths = 1;
  sid->id_auth[5] = 5;
  sid->sub_auths[0] = 7;
  s->security_token->sids = sid;
  s->security_token->num_sids = 1;
  s->info->account_name = talloc_strdup(s->info, "ANONYMOUS LOGON");
  s->info->domain_name = talloc_strdup(s->info, "NT AUTHORITY");
  return s;
}

void accept_connection(tevent_context* ev, tevent_fd*, uint16_t, void* p) {
  auto* host = static_cast<RpcHost::Impl*>(p);
  dcesrv_cleanup_broken_connections(host->dce);
  sockaddr_storage peer{}, local{};
  socklen_t peer_len = sizeof peer, local_len = sizeof local;
  int fd = accept4(host->listen_fd, reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC);
  if (fd < 0) return;
  // Without it every response longer than one fragment waits for the peer's delayed ACK.
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len);

  auto* c = talloc_zero(host->root, Connection);
  if (c == nullptr) return (void)close(fd);
  c->host = host;
  c->id = host->next_connection++;
  auto fail = [&](const char* what) {
    std::cerr << "exmapi-server: dropping a connection: " << what << "\n";
    talloc_free(c);
  };
  auth_session_info* session = anonymous_session(c);
  if (session == nullptr) return close(fd), fail("out of memory");
  dcesrv_connection* conn = nullptr;
  NTSTATUS st = dcesrv_endpoint_connect(host->dce, c, reinterpret_cast<const ::dcesrv_endpoint*>(host->dce->endpoint_list), session, ev,
                                        DCESRV_CALL_STATE_FLAG_MAY_ASYNC, &conn);
  if (!NT_STATUS_IS_OK(st)) return close(fd), fail(nt_errstr(st));
  c->conn = conn;
  host->connections.insert(c);
  talloc_set_destructor(c, connection_destructor);
  conn->transport.private_data = c;
  conn->transport.report_output_data = dcesrv_sock_report_output_data;
  conn->transport.terminate_connection = terminate_connection;
  conn->send_queue = tevent_queue_create(conn, "exmapi-server send queue");
  if (conn->send_queue == nullptr) return close(fd), fail("out of memory");
  if (tstream_bsd_existing_socket(conn, fd, &conn->stream) != 0) return close(fd), fail("tstream_bsd_existing_socket");
  // From here the stream owns fd.
  tsocket_address *laddr = nullptr, *raddr = nullptr;
  if (tsocket_address_bsd_from_sockaddr(conn, reinterpret_cast<sockaddr*>(&local), local_len, &laddr) != 0 ||
      tsocket_address_bsd_from_sockaddr(conn, reinterpret_cast<sockaddr*>(&peer), peer_len, &raddr) != 0)
    return fail("tsocket_address_bsd_from_sockaddr");
  conn->local_address = laddr;
  conn->remote_address = raddr;
  st = dcesrv_connection_loop_start(conn);
  if (!NT_STATUS_IS_OK(st)) return fail(nt_errstr(st));
}

void run_tasks(tevent_context*, tevent_fd*, uint16_t, void* p) {
  auto* host = static_cast<RpcHost::Impl*>(p);
  uint64_t count;
  if (read(host->wake_fd, &count, sizeof count) < 0 && errno != EAGAIN) return;
  for (;;) {
    RpcHost::Impl::Task* task;
    {
      std::lock_guard lock(host->tasks_mutex);
      if (host->tasks.empty()) return;
      task = host->tasks.front();
      host->tasks.pop_front();
    }
    try {
      (*task->fn)();
    } catch (...) {
      task->error = std::current_exception();
    }
    std::lock_guard lock(host->tasks_mutex);
    task->done = true;
    host->tasks_done.notify_all();
  }
}

void on_signal(tevent_context*, tevent_signal*, int, int, void*, void* p) {
  static_cast<RpcHost::Impl*>(p)->stopping = true;
}

[[noreturn]] void fail_setup(const std::string& what) { throw std::runtime_error(what); }

}  // namespace

RpcHost::RpcHost() : impl_(std::make_unique<Impl>()) {
  Impl& h = *impl_;
  h.root = talloc_new(nullptr);
  h.ev = tevent_context_init(h.root);
  if (h.root == nullptr || h.ev == nullptr) fail_setup("cannot create the tevent loop");
  h.lp = loadparm_init_global(false);
  if (h.lp == nullptr) fail_setup("cannot create a loadparm context");
  h.callbacks.auth.become_root = become_root_noop;
  h.callbacks.auth.unbecome_root = unbecome_root_noop;
  h.callbacks.auth.gensec_prepare = no_gensec;
  h.callbacks.assoc_group.find = find_assoc_group;
  NTSTATUS st = dcesrv_init_context(h.root, h.lp, &h.callbacks, &h.dce);
  if (!NT_STATUS_IS_OK(st)) fail_setup(std::string("dcesrv_init_context: ") + nt_errstr(st));
  h.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (h.wake_fd < 0) fail_setup(std::string("eventfd: ") + std::strerror(errno));
  if (tevent_add_fd(h.ev, h.root, h.wake_fd, TEVENT_FD_READ, run_tasks, &h) == nullptr) fail_setup("tevent_add_fd failed");
}

RpcHost::~RpcHost() {
  // Connections go first: their destructors report disconnects through this object, and their
  // pending calls cancel timers that hang off the root.
  end_tasks();
  while (!impl_->connections.empty()) talloc_free(*impl_->connections.begin());
  talloc_free(impl_->root);
  if (impl_->listen_fd >= 0) close(impl_->listen_fd);
  if (impl_->wake_fd >= 0) close(impl_->wake_fd);
}

void RpcHost::end_tasks() {
  Impl& h = *impl_;
  std::lock_guard lock(h.tasks_mutex);
  h.loop_ended = true;
  for (Impl::Task* t : h.tasks) {
    t->error = std::make_exception_ptr(std::runtime_error("the server is stopping"));
    t->done = true;
  }
  h.tasks.clear();
  h.tasks_done.notify_all();
}

void RpcHost::run_on_loop(const std::function<void()>& fn) {
  Impl& h = *impl_;
  Impl::Task task{&fn, nullptr, false};
  std::unique_lock lock(h.tasks_mutex);
  if (h.loop_ended) throw std::runtime_error("the server is stopping");
  h.tasks.push_back(&task);
  uint64_t one = 1;
  if (write(h.wake_fd, &one, sizeof one) < 0 && errno != EAGAIN) {
    h.tasks.pop_back();
    throw std::runtime_error(std::string("cannot wake the server loop: ") + std::strerror(errno));
  }
  h.tasks_done.wait(lock, [&] { return task.done; });
  if (task.error) std::rethrow_exception(task.error);
}

Authenticator* RpcHost::authenticator() { return impl_->authenticator.get(); }

const AccountLookup& RpcHost::account_lookup() const { return impl_->lookup; }

void RpcHost::add_deferred_interface(const std::string& name, const std::string& uuid, uint16_t major,
                                     uint16_t minor, DeferredRpcHandler handler) {
  add_interface(name, uuid, major, minor, nullptr);
  impl_->interfaces.back().deferred = std::move(handler);
}

void RpcHost::add_interface(const std::string& name, const std::string& uuid, uint16_t major, uint16_t minor,
                            RpcHandler handler) {
  Interface& e = impl_->interfaces.emplace_back();
  e.name = name;
  e.uuid = uuid;
  e.major = major;
  e.minor = minor;
  e.handler = std::move(handler);
  dcesrv_interface& i = e.iface;
  i.name = e.name.c_str();
  NTSTATUS st = GUID_from_string(e.uuid.c_str(), &i.syntax_id.uuid);
  if (!NT_STATUS_IS_OK(st)) fail_setup("interface " + name + ": bad UUID " + uuid);
  i.syntax_id.if_version = static_cast<uint32_t>(minor) << 16 | major;
  i.bind = iface_bind;
  i.ndr_pull = iface_ndr_pull;
  i.dispatch = iface_dispatch;
  i.reply = iface_reply;
  i.ndr_push = iface_ndr_push;
  i.private_data = &e;
}

void RpcHost::accept_authentication(AccountLookup lookup, std::string keytab, std::string realm) {
  Impl& h = *impl_;
  h.lookup = lookup;
  h.authenticator = std::make_unique<Authenticator>(h.lp, h.ev, std::move(lookup), std::move(keytab), std::move(realm));
  h.callbacks.auth.gensec_prepare = Authenticator::prepare;
  h.callbacks.auth.private_data = h.authenticator.get();
}

void RpcHost::require_authentication(bool on) { impl_->require_authentication = on; }

void RpcHost::on_disconnect(std::function<void(uint64_t)> fn) { impl_->disconnect_fn = std::move(fn); }

uint16_t RpcHost::listen(const std::string& address, uint16_t port) {
  Impl& h = *impl_;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    fail_setup("--listen " + address + " is not an IPv4 address");
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail_setup(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd, 128) != 0) {
    std::string why = std::strerror(errno);
    close(fd);
    fail_setup("cannot listen on " + address + ":" + std::to_string(port) + ": " + why);
  }
  socklen_t len = sizeof sa;
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  uint16_t bound = ntohs(sa.sin_port);
  h.listen_fd = fd;

  std::string endpoint = "ncacn_ip_tcp:" + address + "[" + std::to_string(bound) + "]";
  for (Interface& e : h.interfaces) {
    NTSTATUS st = dcesrv_interface_register(h.dce, endpoint.c_str(), nullptr, &e.iface, nullptr);
    if (!NT_STATUS_IS_OK(st)) fail_setup("registering " + e.name + ": " + nt_errstr(st));
  }
  if (h.dce->endpoint_list == nullptr) fail_setup("no interface registered");
  if (tevent_add_fd(h.ev, h.root, fd, TEVENT_FD_READ, accept_connection, &h) == nullptr)
    fail_setup("tevent_add_fd failed");
  for (int sig : {SIGTERM, SIGINT})
    if (tevent_add_signal(h.ev, h.root, sig, 0, on_signal, &h) == nullptr) fail_setup("tevent_add_signal failed");
  return bound;
}

void RpcHost::run() {
  Impl& h = *impl_;
  while (!h.stopping) {
    if (tevent_loop_once(h.ev) != 0) {
      end_tasks();
      fail_setup(std::string("tevent loop failed: ") + std::strerror(errno));
    }
    release_abandoned_calls(h);
  }
  end_tasks();
}

void RpcHost::stop() { impl_->stopping = true; }

}  // namespace exmapi::server
