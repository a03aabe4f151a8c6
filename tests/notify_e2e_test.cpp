// Notifications end to end over real Samba RPC against exmapi-server (short --async-wait-timeout):
// an EcDoAsyncWaitEx held open until another session saves a message, the same wait ending empty at
// the server's timeout, a client that drops its pending wait, and `exmapi watch` as a child process.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>

#include "base/error.hpp"
#include "mapi/connect.hpp"
#include "ndr/emsmdb_methods.hpp"
#include "rpc/emsmdb_client.hpp"
#include "server_process.hpp"
#include "store/sample_org.hpp"
#include "test_support.hpp"

namespace exmapi::mapi {
namespace {

using test::ServerProcess;
using clock_type = std::chrono::steady_clock;
namespace nt = rop::notification_type;
namespace m = ndr::emsmdb;

constexpr int kServerWaitMs = 4000;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

class NotifyE2E : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = new ServerProcess({"--async-wait-timeout", std::to_string(kServerWaitMs)}); }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static ConnectSpec spec(const std::string& user) {
    ConnectSpec s;
    s.server = "127.0.0.1";
    s.port = server_->port();
    s.user = user;
    s.auth = Auth::Anonymous;
    return s;
  }
  static rpc::ConnectOptions rpc_options() {
    rpc::ConnectOptions o;
    o.host = "127.0.0.1";
    o.port = server_->port();
    o.credentials.method = rpc::AuthMethod::anonymous;
    o.call_timeout_seconds = 30;
    return o;
  }
  // A bare EMSMDB session of alice's (no logon needed for EcDoAsyncConnectEx).
  static rpc::EmsmdbClient raw_session() {
    rpc::EmsmdbClient c(rpc_options());
    m::EcDoConnectEx::Request r;
    r.user_dn = server::sample::user_dn("alice");
    r.cpid = 1252;
    r.lcid_string = r.lcid_sort = 0x409;
    r.icxr_link = 0xFFFFFFFF;
    r.client_version = {0x000C, 0x183E, 0x03E8};
    r.aux_out_size = 0x1008;
    c.connect_ex(r);
    return c;
  }
  // Creates and saves a message with `subject` in `folder_id` through `s`; returns its id.
  static uint64_t deliver(Session& s, uint64_t folder_id, const std::string& subject) {
    RopBatch b;
    rop::RopCreateMessage::Request cm;
    cm.logon_id = s.logon_id();
    cm.input_handle_index = b.input(s.logon_handle());
    cm.output_handle_index = b.output();
    cm.code_page_id = 0x0FFF;
    cm.folder_id = folder_id;
    b.add(cm);
    rop::RopSetProperties::Request sp;
    sp.logon_id = s.logon_id();
    sp.input_handle_index = cm.output_handle_index;
    sp.property_values = {{0x0037001F, rop::PropertyValue::string(subject)}};
    b.add(sp);
    rop::RopSaveChangesMessage::Request save;
    save.logon_id = s.logon_id();
    save.response_handle_index = save.input_handle_index = cm.output_handle_index;
    size_t at = b.add(save);
    rop::RopRelease::Request release;
    release.logon_id = s.logon_id();
    release.input_handle_index = cm.output_handle_index;
    b.add(release);
    return s.execute(b).get<rop::RopSaveChangesMessage::Response>(at).message_id;
  }
  static bool server_alive() { return waitpid(server_->pid(), nullptr, WNOHANG) == 0; }

  static ServerProcess* server_;
};
ServerProcess* NotifyE2E::server_ = nullptr;

TEST_F(NotifyE2E, AHeldWaitEndsWhenAnotherSessionSavesAMessage) {
  auto watcher = connect_rpc(spec("alice"));
  auto writer = connect_rpc(spec("alice"));
  uint64_t inbox = watcher->session().folders().inbox;
  ServerHandle sub = watcher->session().subscribe(nt::NewMail | nt::ObjectCreated, inbox);
  auto started = clock_type::now();
  auto waited = std::async(std::launch::async, [&] {
    auto events = watcher->session().wait_for_notifications(std::chrono::seconds(20));
    return std::make_pair(events, seconds_since(started));
  });
  // Long enough for the wait to be held on the server.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ASSERT_EQ(waited.wait_for(std::chrono::seconds(0)), std::future_status::timeout) << "the wait did not block";
  uint64_t mid = deliver(writer->session(), inbox, "Réveille-toi");
  ASSERT_EQ(waited.wait_for(std::chrono::seconds(15)), std::future_status::ready);
  auto [events, elapsed] = waited.get();
  // Woken by the event, well before the server's own timeout.
  EXPECT_LT(elapsed, kServerWaitMs / 1000.0 - 0.5);
  EXPECT_GT(elapsed, 0.6);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].subscription, sub);
  EXPECT_EQ(events[0].data.type(), nt::ObjectCreated);
  EXPECT_EQ(events[1].data.type(), nt::NewMail);
  for (const auto& e : events) {
    EXPECT_EQ(e.data.folder_id, inbox);
    EXPECT_EQ(e.data.message_id, mid);
  }
  // All collected: nothing is left on the server.
  EXPECT_TRUE(watcher->session().collect_notifications().empty());
}

TEST_F(NotifyE2E, WithNothingToReportTheWaitEndsAtTheServersTimeout) {
  auto em = raw_session();
  ndr::ContextHandle acxh = em.async_connect_ex();
  rpc::Connection async(rpc::kAsyncEmsmdb, rpc_options());
  auto started = clock_type::now();
  auto r = rpc::call<m::EcDoAsyncWaitEx>(async, {acxh, 0});
  double elapsed = seconds_since(started);
  EXPECT_EQ(r.result, 0u);
  EXPECT_EQ(r.flags_out, 0u);  // NotificationPending clear
  EXPECT_GE(elapsed, kServerWaitMs / 1000.0 - 0.1);
  EXPECT_LT(elapsed, kServerWaitMs / 1000.0 + 5);
  em.disconnect();
}

TEST_F(NotifyE2E, AClientThatDropsItsPendingWaitLeavesTheServerHealthy) {
  auto em = raw_session();
  ndr::ContextHandle acxh = em.async_connect_ex();
  {
    rpc::Connection async(rpc::kAsyncEmsmdb, rpc_options());
    auto pending = std::async(std::launch::async, [&] {
      try {
        rpc::call<m::EcDoAsyncWaitEx>(async, {acxh, 0});
        return std::string("answered");
      } catch (const Error& e) {
        return std::string(e.what());
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ASSERT_EQ(pending.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
    for (int fd : async.socket_fds()) shutdown(fd, SHUT_RDWR);
    ASSERT_EQ(pending.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    EXPECT_NE(pending.get(), "answered");
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_TRUE(server_alive());
  // The server goes on: the same session waits again on a new pipe and is woken by a new event.
  auto writer = connect_rpc(spec("alice"));
  auto watcher = connect_rpc(spec("alice"));
  uint64_t inbox = writer->session().folders().inbox;
  watcher->session().subscribe(nt::NewMail, inbox);
  auto waited = std::async(std::launch::async, [&] { return watcher->session().wait_for_notifications(std::chrono::seconds(20)); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  uint64_t mid = deliver(writer->session(), inbox, "après la coupure");
  ASSERT_EQ(waited.wait_for(std::chrono::seconds(15)), std::future_status::ready);
  auto events = waited.get();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].data.message_id, mid);
  // And the first session still answers after its pipe dropped.
  EXPECT_EQ(em.dummy_rpc(), 0u);
  em.disconnect();
  EXPECT_TRUE(server_alive());
}

TEST_F(NotifyE2E, CliWatchPrintsTheEventAnotherSessionCauses) {
  std::string common = "--server 127.0.0.1 --port " + std::to_string(server_->port()) + " --user alice --auth anonymous";
  auto watch = std::async(std::launch::async, [&] {
    return test::run_command(test::cli_path() + " watch Inbox --count 1 --timeout 30 " + common, "");
  });
  auto writer = connect_rpc(spec("alice"));
  uint64_t inbox = writer->session().folders().inbox;
  // The watcher subscribes some time after it starts: deliver until it has seen one.
  int sent = 0;
  while (watch.wait_for(std::chrono::milliseconds(700)) != std::future_status::ready && sent < 40)
    deliver(writer->session(), inbox, "Ping " + std::to_string(++sent));
  ASSERT_EQ(watch.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  test::CommandResult r = watch.get();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GE(sent, 1);
  // One line: the first event (ObjectCreated) of one of the messages, with its subject.
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_EQ(r.out.rfind("ObjectCreated  folder=", 0), 0u) << r.out;
  char folder[32];
  std::snprintf(folder, sizeof folder, "folder=0x%016llX", static_cast<unsigned long long>(inbox));
  EXPECT_NE(r.out.find(folder), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("subject=\"Ping "), std::string::npos) << r.out;
  // --json: one object per line; with nothing happening, --timeout ends it quietly.
  auto quiet = test::run_command(test::cli_path() + " watch Drafts --json --timeout 1 " + common, "");
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  auto bad = test::run_command(test::cli_path() + " watch NoSuchFolder --timeout 1 " + common, "");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("no folder \"NoSuchFolder\""), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace exmapi::mapi
