// The sample mailboxes of `exmapi-server --seed`: one per user of sample_org.hpp, with every default
// folder, mails with attachments and HTML and compressed-RTF bodies, a calendar with single,
// recurring and exception appointments, contacts, tasks, sticky notes, and alice's calendar shared
// with bob through folder permissions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace exmapi::server {

// Creates the mbx_ tables in `store_path` if needed and seeds every sample user that has no mailbox
// yet (running it twice adds nothing).
void seed_mailboxes(const std::string& store_path);

// The special-folder roles seed_mailboxes() records (MailboxStore::special_folder), in the order of
// the 13 FolderIds of a private-mailbox RopLogon response (MS-OXCSTOR 2.2.1.1.3).
inline constexpr const char* kLogonFolderRoles[13] = {"root",   "deferred_action", "spooler_queue", "ipm_subtree",
                                                      "inbox",  "outbox",          "sent_items",    "deleted_items",
                                                      "common_views", "schedule",  "finder",        "views",
                                                      "shortcuts"};

// PidLidAppointmentRecur for a weekly series (MS-OXOCAL 2.2.1.44): AppointmentRecurrencePattern
// with WriterVersion2 0x3009, so each exception also has its ExtendedException. Times are FILETIMEs
// in UTC; `days_of_week` is the bit mask of 2.2.1.44.1.2 (Sunday 0x01 ... Saturday 0x40).
struct WeeklyRecurrence {
  uint64_t first_start = 0;  // start of the first occurrence
  uint32_t duration_minutes = 0;
  uint32_t days_of_week = 0;
  uint32_t period_weeks = 1;
  uint32_t occurrences = 0;
  struct Exception {
    uint64_t original_start = 0;  // the occurrence it replaces
    uint64_t new_start = 0;
    uint32_t duration_minutes = 0;
    std::string subject;   // UTF-8; empty: unchanged
    std::string location;  // UTF-8; empty: unchanged
  };
  std::vector<Exception> exceptions;
  std::vector<uint64_t> deleted;  // occurrences removed without replacement (their start)
};
Bytes weekly_recurrence_blob(const WeeklyRecurrence& recurrence);

// FILETIME of a UTC date and time.
uint64_t filetime_utc(int year, int month, int day, int hour = 0, int minute = 0);

}  // namespace exmapi::server
