#include "store/mailbox_seed.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

#include "base/text.hpp"
#include "convert/compressed_rtf.hpp"
#include "rop/entry_id.hpp"
#include "store/mailbox.hpp"
#include "store/mailbox_tags.hpp"
#include "store/sample_org.hpp"

namespace exmapi::server {

using rop::PropertyValue;
namespace tag = mailbox_tag;

// ---- time --------------------------------------------------------------------------------------------
namespace {
// Days from 1970-01-01 to a civil date (proleptic Gregorian).
int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}
constexpr uint64_t kTicksPerMinute = 600000000ull;
uint32_t minutes_of(uint64_t filetime) { return static_cast<uint32_t>(filetime / kTicksPerMinute); }
uint32_t midnight_minutes(uint64_t filetime) { return minutes_of(filetime) / 1440 * 1440; }
}  // namespace

uint64_t filetime_utc(int year, int month, int day, int hour, int minute) {
  int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60;
  return unix_to_filetime(seconds);
}

// ---- PidLidAppointmentRecur ----------------------------------------------------------------------------
namespace {
void write_str8_lengths(ByteWriter& w, std::string_view utf8) {
  // ExceptionInfo strings are 8-bit in the client's code page; characters outside ASCII become '?'
  // (the Unicode form follows in the ExtendedException).
  std::string ascii;
  std::u16string units;
  Bytes utf16 = utf8_to_utf16le(utf8);
  for (size_t i = 0; i + 1 < utf16.size(); i += 2) {
    uint16_t u = static_cast<uint16_t>(utf16[i] | utf16[i + 1] << 8);
    if (u >= 0xDC00 && u <= 0xDFFF) continue;  // second half of a pair: one '?' for the pair
    ascii.push_back(u < 0x80 ? static_cast<char>(u) : '?');
  }
  w.u16(static_cast<uint16_t>(ascii.size() + 1));
  w.u16(static_cast<uint16_t>(ascii.size()));
  w.bytes(ByteView(reinterpret_cast<const uint8_t*>(ascii.data()), ascii.size()));
}
void write_wide(ByteWriter& w, std::string_view utf8) {
  Bytes utf16 = utf8_to_utf16le(utf8);
  w.u16(static_cast<uint16_t>(utf16.size() / 2));
  w.bytes(utf16);
}
}  // namespace

Bytes weekly_recurrence_blob(const WeeklyRecurrence& rec) {
  constexpr uint16_t kAroSubject = 0x0001, kAroLocation = 0x0010;
  const uint32_t start_date = midnight_minutes(rec.first_start);
  const uint32_t start_offset = minutes_of(rec.first_start) - start_date;
  // The occurrences, to find the EndDate of an "end after N occurrences" series.
  uint32_t day = start_date / 1440;
  const uint32_t week_start = day - (day + 1) % 7;  // 1601-01-01 was a Monday: (day + 1) % 7 is 0 on Sundays
  uint32_t last_day = day;
  uint32_t found = 0;
  for (uint32_t d = day; found < rec.occurrences; ++d) {
    uint32_t weeks = (d - week_start) / 7;
    if (weeks % rec.period_weeks == 0 && (rec.days_of_week >> ((d + 1) % 7) & 1)) {
      ++found;
      last_day = d;
    }
  }
  std::vector<uint32_t> deleted, modified;
  for (uint64_t d : rec.deleted) deleted.push_back(midnight_minutes(d));
  for (const auto& e : rec.exceptions) {
    deleted.push_back(midnight_minutes(e.original_start));
    modified.push_back(midnight_minutes(e.new_start));
  }
  std::sort(deleted.begin(), deleted.end());
  std::sort(modified.begin(), modified.end());

  ByteWriter w;
  // RecurrencePattern (2.2.1.44.1)
  w.u16(0x3004);  // ReaderVersion
  w.u16(0x3004);  // WriterVersion
  w.u16(0x200B);  // RecurFrequency: weekly
  w.u16(0x0001);  // PatternType: Week
  w.u16(0x0000);  // CalendarType: Gregorian
  w.u32(week_start * 1440 % (rec.period_weeks * 10080));  // FirstDateTime (2.2.1.44.1.1, FirstDOW Sunday)
  w.u32(rec.period_weeks);                                // Period
  w.u32(0);                                               // SlidingFlag
  w.u32(rec.days_of_week);                                // PatternTypeSpecific: WeekRecurrencePattern
  w.u32(0x00002022);                                      // EndType: after OccurrenceCount occurrences
  w.u32(rec.occurrences);
  w.u32(0);  // FirstDOW: Sunday
  w.u32(static_cast<uint32_t>(deleted.size()));
  for (uint32_t d : deleted) w.u32(d);
  w.u32(static_cast<uint32_t>(modified.size()));
  for (uint32_t d : modified) w.u32(d);
  w.u32(start_date);
  w.u32(last_day * 1440);  // EndDate: midnight of the last occurrence
  // AppointmentRecurrencePattern (2.2.1.44.3)
  w.u32(0x3006);  // ReaderVersion2
  w.u32(0x3009);  // WriterVersion2: ExtendedException present
  w.u32(start_offset);
  w.u32(start_offset + rec.duration_minutes);
  w.u16(static_cast<uint16_t>(rec.exceptions.size()));
  auto flags_of = [&](const WeeklyRecurrence::Exception& e) {
    return static_cast<uint16_t>((e.subject.empty() ? 0 : kAroSubject) | (e.location.empty() ? 0 : kAroLocation));
  };
  for (const auto& e : rec.exceptions) {  // ExceptionInfo (2.2.1.44.2)
    w.u32(minutes_of(e.new_start));
    w.u32(minutes_of(e.new_start) + e.duration_minutes);
    w.u32(minutes_of(e.original_start));
    uint16_t flags = flags_of(e);
    w.u16(flags);
    if (flags & kAroSubject) write_str8_lengths(w, e.subject);
    if (flags & kAroLocation) write_str8_lengths(w, e.location);
  }
  w.u32(0);  // ReservedBlock1Size
  for (const auto& e : rec.exceptions) {  // ExtendedException (2.2.1.44.4)
    w.u32(4);  // ChangeHighlightSize
    w.u32(0);  // ChangeHighlightValue
    w.u32(0);  // ReservedBlockEE1Size
    uint16_t flags = flags_of(e);
    if (flags & (kAroSubject | kAroLocation)) {
      w.u32(minutes_of(e.new_start));
      w.u32(minutes_of(e.new_start) + e.duration_minutes);
      w.u32(minutes_of(e.original_start));
      if (flags & kAroSubject) write_wide(w, e.subject);
      if (flags & kAroLocation) write_wide(w, e.location);
      w.u32(0);  // ReservedBlockEE2Size
    }
  }
  w.u32(0);  // ReservedBlock2Size
  return w.take();
}

// ---- the seed ----------------------------------------------------------------------------------------
namespace {

const Guid kPsetidAppointment = *Guid::parse("{00062002-0000-0000-C000-000000000046}");
const Guid kPsetidTask = *Guid::parse("{00062003-0000-0000-C000-000000000046}");
const Guid kPsetidAddress = *Guid::parse("{00062004-0000-0000-C000-000000000046}");
const Guid kPsetidNote = *Guid::parse("{0006200E-0000-0000-C000-000000000046}");

std::string smtp(std::string_view account) { return std::string(account) + "@" + std::string(sample::kMailDomain); }
const sample::User& user(std::string_view account) {
  for (const auto& u : sample::kUsers)
    if (u.account == account) return u;
  return sample::kUsers[0];
}
Bytes bytes_of(std::string_view s) { return Bytes(s.begin(), s.end()); }

class Seeder {
 public:
  Seeder(MailboxStore& store, const sample::User& owner) : store_(store), owner_(owner), account_(owner.account) {}

  void run() {
    info_ = store_.create_mailbox(account_);
    build_folders();
    seed_mail();
    seed_calendar();
    seed_contacts();
    seed_tasks_and_notes();
  }

 private:
  uint64_t change_number() { return object_id_from_counter(store_.allocate_counter(account_)); }

  PropertyMap stamp(PropertyMap p, uint64_t when) {
    p.emplace(tag::CreationTime, PropertyValue::time(when));
    p.emplace(tag::LastModificationTime, PropertyValue::time(when));
    p[tag::ChangeNumber] = PropertyValue::int64(static_cast<int64_t>(change_number()));
    return p;
  }

  uint64_t folder(uint64_t parent, std::string_view role, std::string_view name, std::string_view container_class,
                  int32_t folder_type = 1) {
    PropertyMap p{{tag::DisplayName, PropertyValue::string(std::string(name))},
                  {tag::FolderType, PropertyValue::int32(folder_type)}};
    if (!container_class.empty()) p.emplace(tag::ContainerClass, PropertyValue::string(std::string(container_class)));
    uint64_t f = store_.create_folder(account_, parent, stamp(std::move(p), seed_time_));
    if (!role.empty()) store_.set_special_folder(account_, role, f);
    return f;
  }

  Bytes folder_entry_id(uint64_t folder_counter) {
    rop::FolderEntryId id;
    id.provider_uid = info_.mailbox_guid;
    id.folder = rop::GlobalId{info_.replica_guid, folder_counter};
    return rop::encode_entry_id(rop::EntryId(id));
  }

  void build_folders() {
    root_ = folder(0, "root", "Root Container", "", 0);
    folder(root_, "deferred_action", "Deferred Action", "");
    folder(root_, "spooler_queue", "Spooler Queue", "");
    ipm_ = folder(root_, "ipm_subtree", "Top of Information Store", "");
    folder(root_, "common_views", "Common Views", "");
    folder(root_, "schedule", "Schedule", "");
    folder(root_, "finder", "Finder", "", 2);
    folder(root_, "views", "Views", "");
    folder(root_, "shortcuts", "Shortcuts", "");
    inbox_ = folder(ipm_, "inbox", "Inbox", "IPF.Note");
    outbox_ = folder(ipm_, "outbox", "Outbox", "IPF.Note");
    sent_ = folder(ipm_, "sent_items", "Sent Items", "IPF.Note");
    deleted_ = folder(ipm_, "deleted_items", "Deleted Items", "IPF.Note");
    drafts_ = folder(ipm_, "drafts", "Drafts", "IPF.Note");
    calendar_ = folder(ipm_, "calendar", "Calendar", "IPF.Appointment");
    contacts_ = folder(ipm_, "contacts", "Contacts", "IPF.Contact");
    tasks_ = folder(ipm_, "tasks", "Tasks", "IPF.Task");
    notes_ = folder(ipm_, "notes", "Notes", "IPF.StickyNote");
    journal_ = folder(ipm_, "journal", "Journal", "IPF.Journal");
    // MS-OXOSFLD 2.2.3: the IPM special folders are found through entry IDs on the Inbox and the root.
    PropertyMap ids{{tag::IpmAppointmentEntryId, PropertyValue::binary(folder_entry_id(calendar_))},
                    {tag::IpmContactEntryId, PropertyValue::binary(folder_entry_id(contacts_))},
                    {tag::IpmJournalEntryId, PropertyValue::binary(folder_entry_id(journal_))},
                    {tag::IpmNoteEntryId, PropertyValue::binary(folder_entry_id(notes_))},
                    {tag::IpmTaskEntryId, PropertyValue::binary(folder_entry_id(tasks_))},
                    {tag::IpmDraftsEntryId, PropertyValue::binary(folder_entry_id(drafts_))}};
    store_.set_properties(account_, ObjectKind::Folder, inbox_, 0, ids);
    store_.set_properties(account_, ObjectKind::Folder, root_, 0, ids);
    for (std::string_view cls : {"", "IPM", "REPORT.IPM"}) store_.set_receive_folder(account_, cls, inbox_);
  }

  uint32_t named_tag(const Guid& set, uint32_t lid, uint16_t type) {
    rop::PropertyName name;
    name.kind = rop::property_name_kind::Lid;
    name.guid = set;
    name.lid = lid;
    return uint32_t{*store_.named_property_id(account_, name, true)} << 16 | type;
  }

  struct Attachment {
    std::string file_name, mime_type;
    Bytes data;
  };
  struct Mail {
    std::string from;  // account
    std::vector<std::string> to;
    std::string subject;
    std::string body;
    std::string html;  // empty: none
    std::string rtf;   // empty: none (stored compressed)
    std::vector<Attachment> attachments;
    uint64_t when = 0;
    bool read = true;
    int32_t importance = 1;
  };

  uint64_t message(uint64_t folder, PropertyMap p, uint64_t when) {
    uint64_t m = store_.create_message(account_, folder, false);
    store_.set_properties(account_, ObjectKind::Message, m, 0, stamp(std::move(p), when));
    return m;
  }

  void mail(uint64_t folder, const Mail& mail, uint32_t extra_flags = 0) {
    const sample::User& from = user(mail.from);
    std::string display_to;
    for (const auto& to : mail.to) display_to += (display_to.empty() ? "" : "; ") + std::string(user(to).display_name);
    uint32_t flags = (mail.read ? 0x01u : 0u) | (mail.attachments.empty() ? 0u : 0x10u) | extra_flags;
    PropertyMap p{{tag::MessageClass, PropertyValue::string("IPM.Note")},
                  {tag::Subject, PropertyValue::string(mail.subject)},
                  {tag::SubjectPrefix, PropertyValue::string("")},
                  {tag::NormalizedSubject, PropertyValue::string(mail.subject)},
                  {tag::Body, PropertyValue::string(mail.body)},
                  {tag::SenderName, PropertyValue::string(std::string(from.display_name))},
                  {tag::SenderEmailAddress, PropertyValue::string(smtp(from.account))},
                  {tag::SenderAddressType, PropertyValue::string("SMTP")},
                  {tag::SentRepresentingName, PropertyValue::string(std::string(from.display_name))},
                  {tag::SentRepresentingEmailAddress, PropertyValue::string(smtp(from.account))},
                  {tag::DisplayTo, PropertyValue::string(display_to)},
                  {tag::MessageDeliveryTime, PropertyValue::time(mail.when)},
                  {tag::ClientSubmitTime, PropertyValue::time(mail.when)},
                  {tag::MessageFlags, PropertyValue::int32(static_cast<int32_t>(flags))},
                  {tag::HasAttachments, PropertyValue::boolean(!mail.attachments.empty())},
                  {tag::Importance, PropertyValue::int32(mail.importance)},
                  {tag::InternetCodepage, PropertyValue::int32(65001)}};
    size_t size = mail.subject.size() + mail.body.size();
    if (!mail.html.empty()) {
      p.emplace(tag::Html, PropertyValue::binary(bytes_of(mail.html)));
      size += mail.html.size();
    }
    if (!mail.rtf.empty()) {
      Bytes compressed = rtf::compress(bytes_of(mail.rtf));
      size += compressed.size();
      p.emplace(tag::RtfCompressed, PropertyValue::binary(std::move(compressed)));
      p.emplace(tag::RtfInSync, PropertyValue::boolean(true));
    }
    for (const auto& a : mail.attachments) size += a.data.size();
    p.emplace(tag::MessageSize, PropertyValue::int32(static_cast<int32_t>(size)));
    uint64_t m = message(folder, std::move(p), mail.when);
    for (const auto& to : mail.to) {
      const sample::User& u = user(to);
      store_.add_recipient(account_, m,
                           {{tag::RecipientType, PropertyValue::int32(1)},
                            {tag::DisplayName, PropertyValue::string(std::string(u.display_name))},
                            {tag::EmailAddress, PropertyValue::string(smtp(u.account))},
                            {tag::AddressType, PropertyValue::string("SMTP")},
                            {tag::SmtpAddress, PropertyValue::string(smtp(u.account))},
                            {tag::DisplayType, PropertyValue::int32(0)}});
    }
    for (const auto& a : mail.attachments) {
      store_.add_attachment(account_, m,
                            {{tag::AttachMethod, PropertyValue::int32(1)},  // afByValue
                             {tag::AttachLongFilename, PropertyValue::string(a.file_name)},
                             {tag::AttachFilename, PropertyValue::string(a.file_name)},
                             {tag::DisplayName, PropertyValue::string(a.file_name)},
                             {tag::AttachMimeTag, PropertyValue::string(a.mime_type)},
                             {tag::AttachDataBinary, PropertyValue::binary(a.data)},
                             {tag::AttachSize, PropertyValue::int32(static_cast<int32_t>(a.data.size()))},
                             {tag::RenderingPosition, PropertyValue::int32(-1)}});
    }
  }

  void seed_mail() {
    std::string me(account_);
    std::string colleague = me == "bob" ? "alice" : "bob";
    std::string csv = "quarter,budget_eur\nQ1,120000\nQ2,135000\nQ3,99000\nQ4,150000\n";
    // The week's ticket log: large enough (about 85 KB) that reading it takes several stream reads.
    std::string tickets = "ticket,opened,status,queue\n";
    for (int i = 1; i <= 2400; ++i)
      tickets += "SUP-" + std::to_string(10000 + i) + ",2026-03-0" + std::to_string(1 + i % 4) + "," +
                 (i % 6 == 0 ? "open" : "closed") + "," + (i % 3 == 0 ? "hardware" : i % 3 == 1 ? "accounts" : "mail") +
                 "\n";
    // A 1x1 transparent PNG.
    Bytes png{0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
              0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
              0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
              0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
              0x42, 0x60, 0x82};
    std::vector<Mail> inbox{
        {"alice", {me}, "Quarterly planning — agenda and budget",
         "Hi,\n\nPlease find the agenda and the budget sheet attached.\n\nAlice",
         "<html><body><p>Hi,</p><p>Please find the <b>agenda</b> and the budget sheet attached.</p><p>Alice</p>"
         "</body></html>",
         "",
         {{"agenda.txt", "text/plain", bytes_of("1. Review of Q1\n2. Hiring plan\n3. Budget\n")},
          {"budget.csv", "text/csv", bytes_of(csv)}},
         filetime_utc(2026, 3, 2, 8, 15), true, 2},
        {"chloe", {me}, "Réunion d'équipe : compte rendu", "Bonjour à tous,\nvoici le compte rendu de la réunion.",
         "", "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Calibri;}}\\f0\\fs22 Bonjour \\'e0 tous,\\par voici le "
             "compte rendu de la r\\'e9union.\\par}",
         {}, filetime_utc(2026, 3, 3, 14, 40), false, 1},
        {"dmitri", {me, colleague}, "Отчёт о поддержке за неделю", "Коллеги, во вложении недельный отчёт.", "", "",
         {{"otchet.txt", "text/plain; charset=utf-8", bytes_of("Закрыто заявок: 42\nОткрыто: 7\n")},
          {"tickets.csv", "text/csv", bytes_of(tickets)}},
         filetime_utc(2026, 3, 4, 9, 5), false, 1},
        {"emi", {me}, "新しいデザイン案について", "新しいロゴの案を添付します。ご意見をお願いします。",
         "<html><body><p>新しいロゴの案を添付します。</p><img src=\"cid:logo.png\"></body></html>", "",
         {{"logo.png", "image/png", png}}, filetime_utc(2026, 3, 5, 1, 30), false, 1},
        {colleague, {me}, "Lunch on Friday? 🍜", "Ramen place at 12:30?", "", "", {}, filetime_utc(2026, 3, 5, 11, 0),
         true, 0},
    };
    for (auto& m : inbox)
      if (m.from == me) m.from = colleague;  // nobody writes to themselves
    for (const auto& m : inbox) mail(inbox_, m);
    mail(sent_, {me, {colleague}, "Re: Lunch on Friday? 🍜", "Sounds good, see you there.", "", "", {},
                 filetime_utc(2026, 3, 5, 11, 20), true, 1});
    mail(drafts_, {me, {colleague}, "Draft: release notes 0.1", "Work in progress.", "", "", {},
                   filetime_utc(2026, 3, 6, 16, 0), true, 1},
         0x08);  // MSGFLAG_UNSENT
    mail(deleted_, {colleague, {me}, "Old newsletter / Ancien bulletin", "Nothing to see here.", "", "", {},
                    filetime_utc(2026, 2, 1, 7, 0), true, 0});
  }

  void appointment(std::string subject, std::string location, uint64_t start, uint64_t end, bool all_day,
                   const Bytes* recurrence) {
    PropertyMap p{{tag::MessageClass, PropertyValue::string("IPM.Appointment")},
                  {tag::Subject, PropertyValue::string(subject)},
                  {tag::NormalizedSubject, PropertyValue::string(subject)},
                  {tag::StartDate, PropertyValue::time(start)},
                  {tag::EndDate, PropertyValue::time(end)},
                  {tag::MessageFlags, PropertyValue::int32(1)},
                  {named_tag(kPsetidAppointment, 0x820D, rop::ptyp::Time), PropertyValue::time(start)},
                  {named_tag(kPsetidAppointment, 0x820E, rop::ptyp::Time), PropertyValue::time(end)},
                  {named_tag(kPsetidAppointment, 0x8208, rop::ptyp::String), PropertyValue::string(location)},
                  {named_tag(kPsetidAppointment, 0x8205, rop::ptyp::Integer32), PropertyValue::int32(2)},  // olBusy
                  {named_tag(kPsetidAppointment, 0x8215, rop::ptyp::Boolean), PropertyValue::boolean(all_day)},
                  {named_tag(kPsetidAppointment, 0x8223, rop::ptyp::Boolean), PropertyValue::boolean(recurrence)}};
    if (recurrence) p.emplace(named_tag(kPsetidAppointment, 0x8216, rop::ptyp::Binary), PropertyValue::binary(*recurrence));
    message(calendar_, std::move(p), filetime_utc(2026, 2, 20, 10, 0));
  }

  void seed_calendar() {
    appointment("Design review / Revue de conception", "B-204", filetime_utc(2026, 3, 10, 13, 0),
                filetime_utc(2026, 3, 10, 14, 0), false, nullptr);
    appointment("Company offsite 2026", "Lyon", filetime_utc(2026, 4, 2), filetime_utc(2026, 4, 3), true, nullptr);
    WeeklyRecurrence weekly;
    weekly.first_start = filetime_utc(2026, 3, 2, 9, 30);  // a Monday
    weekly.duration_minutes = 30;
    weekly.days_of_week = 0x02 | 0x10;  // Monday and Thursday
    weekly.occurrences = 12;
    weekly.exceptions.push_back({filetime_utc(2026, 3, 12, 9, 30), filetime_utc(2026, 3, 12, 11, 0), 30,
                                 "Stand-up (moved) — стендап", "Café"});
    weekly.deleted.push_back(filetime_utc(2026, 3, 19, 9, 30));
    Bytes blob = weekly_recurrence_blob(weekly);
    appointment("Team stand-up", "Room 3", weekly.first_start, weekly.first_start + 30 * kTicksPerMinute, false, &blob);
  }

  void seed_contacts() {
    for (const auto& u : sample::kUsers) {
      if (u.account == owner_.account) continue;
      std::string display(u.display_name);
      message(contacts_,
              {{tag::MessageClass, PropertyValue::string("IPM.Contact")},
               {tag::Subject, PropertyValue::string(display)},
               {tag::DisplayName, PropertyValue::string(display)},
               {tag::GivenName, PropertyValue::string(std::string(u.given_name))},
               {tag::Surname, PropertyValue::string(std::string(u.surname))},
               {tag::Title, PropertyValue::string(std::string(u.title))},
               {tag::DepartmentName, PropertyValue::string(std::string(u.department))},
               {tag::CompanyName, PropertyValue::string(std::string(sample::kOrganization))},
               {tag::BusinessTelephoneNumber, PropertyValue::string(std::string(u.phone))},
               {tag::MessageFlags, PropertyValue::int32(1)},
               {named_tag(kPsetidAddress, 0x8083, rop::ptyp::String), PropertyValue::string(smtp(u.account))},
               {named_tag(kPsetidAddress, 0x8080, rop::ptyp::String),
                PropertyValue::string(display + " (" + smtp(u.account) + ")")},
               {named_tag(kPsetidAddress, 0x8005, rop::ptyp::String),
                PropertyValue::string(std::string(u.surname) + ", " + std::string(u.given_name))}},
              filetime_utc(2026, 1, 15, 12, 0));
    }
  }

  void task(std::string subject, int32_t status, double percent, uint64_t due, bool complete) {
    message(tasks_,
            {{tag::MessageClass, PropertyValue::string("IPM.Task")},
             {tag::Subject, PropertyValue::string(subject)},
             {tag::NormalizedSubject, PropertyValue::string(subject)},
             {tag::MessageFlags, PropertyValue::int32(1)},
             {named_tag(kPsetidTask, 0x8101, rop::ptyp::Integer32), PropertyValue::int32(status)},
             {named_tag(kPsetidTask, 0x8102, rop::ptyp::Floating64), PropertyValue::float64(percent)},
             {named_tag(kPsetidTask, 0x8105, rop::ptyp::Time), PropertyValue::time(due)},
             {named_tag(kPsetidTask, 0x811C, rop::ptyp::Boolean), PropertyValue::boolean(complete)}},
            filetime_utc(2026, 2, 25, 9, 0));
  }

  void note(std::string subject, std::string body, int32_t color) {
    message(notes_,
            {{tag::MessageClass, PropertyValue::string("IPM.StickyNote")},
             {tag::Subject, PropertyValue::string(subject)},
             {tag::Body, PropertyValue::string(body)},
             {tag::MessageFlags, PropertyValue::int32(1)},
             {named_tag(kPsetidNote, 0x8B00, rop::ptyp::Integer32), PropertyValue::int32(color)}},
            filetime_utc(2026, 2, 27, 17, 0));
  }

  void seed_tasks_and_notes() {
    task("Prepare the Q2 roadmap", 1, 0.5, filetime_utc(2026, 3, 20), false);        // olTaskInProgress
    task("Renouveler le contrat du bureau", 0, 0.0, filetime_utc(2026, 4, 1), false);  // olTaskNotStarted
    task("Обновить документацию", 2, 1.0, filetime_utc(2026, 2, 28), true);           // olTaskComplete
    note("Wi-Fi: guest / welcome2026", "Wi-Fi: guest / welcome2026", 3);  // yellow
    note("買い物リスト", "牛乳、卵、パン", 1);                                // green
  }

  MailboxStore& store_;
  const sample::User& owner_;
  std::string_view account_;
  MailboxInfo info_;
  uint64_t seed_time_ = filetime_utc(2026, 1, 1, 8, 0);
  uint64_t root_ = 0, ipm_ = 0, inbox_ = 0, outbox_ = 0, sent_ = 0, deleted_ = 0, drafts_ = 0, calendar_ = 0,
           contacts_ = 0, tasks_ = 0, notes_ = 0, journal_ = 0;
};

// PidTagMemberId of a sample user in permission tables: their position in the organisation, from 1.
int64_t member_id_of(std::string_view account) {
  for (size_t i = 0; i < sample::kUsers.size(); ++i)
    if (sample::kUsers[i].account == account) return static_cast<int64_t>(i + 1);
  return 0;
}

}  // namespace

void seed_mailboxes(const std::string& store_path) {
  MailboxStore store(store_path);
  store.begin();
  try {
    for (const auto& u : sample::kUsers) {
      if (store.mailbox(u.account)) continue;
      Seeder(store, u).run();
    }
    // The first user shares the calendar with the second: Reviewer rights (ReadAny | FolderVisible,
    // MS-OXCPERM 2.2.7) for them, free/busy only for everyone else.
    const auto& owner = sample::kUsers[0];
    const auto& delegate = sample::kUsers[1];
    uint64_t calendar = *store.special_folder(owner.account, "calendar");
    store.set_permission(owner.account, calendar, {0, "", "", 0x00000800});  // FreeBusySimple
    store.set_permission(owner.account, calendar,
                         {member_id_of(delegate.account), std::string(delegate.account),
                          std::string(delegate.display_name), 0x00000401});
    store.commit();
  } catch (...) {
    store.rollback();
    throw;
  }
}

}  // namespace exmapi::server
