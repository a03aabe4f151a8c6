// A deterministic corpus of MAPI-like payloads for the LZ77 interop test and the LZ77 bench.
//
// Header-only so that the test binary and the single-file bench program compile the same logic.
// Nothing here is stored: a seeded PRNG draws from word lists, so every run produces the same bytes.
//
// What it holds, by share of bytes (kShares):
//  - 40% ROP response buffers: RopQueryRows over a contents table (UTF-16LE subjects and names,
//    FILETIMEs, FIDs/MIDs, 70-byte message entry IDs with shared prefixes, standard and flagged
//    PropertyRows with 0x8004010F errors), hierarchy-table rows, and RopFastTransferSourceGetBuffer
//    streams carrying whole messages with UTF-16 bodies;
//  - 35% message bodies: plain text and Outlook-style HTML, in English, German, French, Russian
//    (UTF-8 Cyrillic), Chinese and Japanese (UTF-8 CJK), with quoted replies and signatures;
//  - 25% MIME messages: headers (Received, DKIM, encoded words), text and HTML parts and base64
//    attachment chunks (mostly of incompressible binary, some of text-like files).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.hpp"
#include "base/text.hpp"

namespace exmapi::test::lz77_corpus {

// The block size MAPI payloads come in (RPC_HEADER_EXT buffers of RopQueryRows and friends).
constexpr size_t kBlockSize = 32 * 1024;
constexpr size_t kDefaultSize = 8u << 20;
constexpr uint64_t kDefaultSeed = 0x4D41504931393737ull;  // "MAPI1977"

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {  // splitmix64
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  size_t below(size_t n) { return n ? static_cast<size_t>(next() % n) : 0; }
  size_t range(size_t lo, size_t hi) { return lo + below(hi - lo + 1); }
  bool chance(unsigned percent) { return below(100) < percent; }
  // Skewed towards the front of a list, as word frequencies are.
  size_t zipf_below(size_t n) {
    double u = static_cast<double>(next() >> 11) / 9007199254740992.0;
    return std::min(n - 1, static_cast<size_t>(static_cast<double>(n) * u * u * u));
  }
  template <class T, size_t N>
  const T& pick(const std::array<T, N>& a) { return a[below(N)]; }
  template <class T, size_t N>
  const T& pick_common(const std::array<T, N>& a) { return a[zipf_below(N)]; }

 private:
  uint64_t state_;
};

namespace words {
using List = std::array<std::string_view, 64>;
inline constexpr List kEnglish = {
    "the", "to", "and", "of", "a", "in", "for", "is", "on", "that", "we", "this", "with", "be", "you", "it",
    "will", "please", "meeting", "project", "team", "report", "update", "budget", "next", "week", "review",
    "customer", "quarter", "schedule", "attached", "document", "thanks", "regarding", "proposal", "status",
    "release", "contract", "deadline", "invoice", "approval", "server", "migration", "mailbox", "calendar",
    "agenda", "follow", "call", "discuss", "changes", "numbers", "sales", "forecast", "office", "tomorrow",
    "Monday", "Friday", "afternoon", "morning", "draft", "final", "version", "comments", "questions"};
inline constexpr List kGerman = {
    "der", "die", "und", "das", "nicht", "mit", "ist", "zu", "den", "für", "wir", "auf", "ein", "eine", "Sie",
    "bitte", "Besprechung", "Projekt", "Bericht", "Termin", "Woche", "nächste", "Angebot", "Rechnung", "Kunde",
    "Freigabe", "Änderungen", "Unterlagen", "anbei", "Grüße", "Zahlen", "Quartal", "Abstimmung", "morgen",
    "heute", "Vertrag", "Frist", "Rückmeldung", "gerne", "danke", "über", "Planung", "Umsatz", "Prüfung",
    "Entwurf", "Version", "Abteilung", "Geschäftsführung", "Lieferung", "Auftrag", "Budget", "Ergebnis",
    "Stand", "Fragen", "Montag", "Freitag", "Vormittag", "Nachmittag", "Büro", "Team", "schnell", "wichtig",
    "dringend", "weiter"};
inline constexpr List kFrench = {
    "le", "la", "les", "de", "des", "et", "un", "une", "pour", "dans", "est", "nous", "vous", "sur", "avec",
    "pas", "réunion", "projet", "rapport", "semaine", "prochaine", "budget", "client", "trimestre", "ci-joint",
    "document", "merci", "concernant", "proposition", "état", "contrat", "échéance", "facture", "validation",
    "serveur", "migration", "boîte", "calendrier", "ordre", "du", "jour", "appel", "discuter", "modifications",
    "chiffres", "ventes", "prévisions", "bureau", "demain", "lundi", "vendredi", "après-midi", "matin",
    "brouillon", "version", "finale", "commentaires", "questions", "équipe", "très", "déjà", "être", "à",
    "cordialement"};
inline constexpr List kRussian = {
    "и", "в", "не", "на", "что", "с", "по", "это", "мы", "вы", "для", "как", "к", "от", "до", "о",
    "пожалуйста", "встреча", "проект", "отчёт", "неделе", "следующей", "бюджет", "клиент", "квартал",
    "документ", "спасибо", "предложение", "статус", "договор", "срок", "счёт", "согласование", "сервер",
    "миграция", "почтовый", "ящик", "календарь", "повестка", "звонок", "обсудить", "изменения", "цифры",
    "продажи", "прогноз", "офис", "завтра", "понедельник", "пятница", "утром", "вечером", "черновик",
    "версия", "окончательная", "комментарии", "вопросы", "команда", "уважением", "коллеги", "вложении",
    "направляю", "прошу", "срочно", "важно"};
inline constexpr List kChinese = {
    "我们", "会议", "项目", "报告", "下周", "预算", "客户", "季度", "附件", "文件", "谢谢", "关于", "建议",
    "状态", "发布", "合同", "截止", "日期", "发票", "审批", "服务器", "迁移", "邮箱", "日历", "议程", "跟进",
    "电话", "讨论", "修改", "数字", "销售", "预测", "办公室", "明天", "周一", "周五", "下午", "上午", "草稿",
    "最终", "版本", "意见", "问题", "团队", "请", "已经", "需要", "确认", "安排", "时间", "部门", "经理",
    "同事", "尽快", "回复", "的", "了", "是", "在", "和", "有", "这个", "一下", "今天"};
inline constexpr List kJapanese = {
    "お疲れ様です", "会議", "プロジェクト", "報告書", "来週", "予算", "お客様", "四半期", "添付", "資料",
    "ありがとうございます", "について", "提案", "状況", "リリース", "契約", "締め切り", "請求書", "承認",
    "サーバー", "移行", "メールボックス", "予定表", "議題", "フォロー", "電話", "相談", "変更", "数字",
    "売上", "見込み", "事務所", "明日", "月曜日", "金曜日", "午後", "午前", "下書き", "最終", "版", "コメント",
    "質問", "チーム", "よろしくお願いします", "確認", "します", "です", "ます", "の", "を", "に", "は", "が",
    "と", "で", "ください", "いたします", "ご確認", "ご連絡", "予定", "共有", "対応", "本日", "以上"};
}  // namespace words

inline constexpr std::array<std::string_view, 32> kFirstNames = {
    "Anna", "Thomas", "Maria", "Michael", "Julia", "Stefan", "Laura", "David", "Sophie", "Pierre", "Claire",
    "Jean", "Olga", "Dmitri", "Елена", "Сергей", "Wei", "Li", "美玲", "志强", "Yuki", "Hiroshi", "さくら",
    "健太", "James", "Emily", "Robert", "Sarah", "Markus", "Katrin", "Lukas", "Nadia"};
inline constexpr std::array<std::string_view, 32> kLastNames = {
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Dubois", "Martin", "Bernard", "Petit",
    "Ivanov", "Иванова", "Смирнов", "Kuznetsova", "Wang", "Zhang", "王", "李", "Tanaka", "Suzuki", "佐藤",
    "高橋", "Smith", "Johnson", "Brown", "Miller", "Wilson", "Garcia", "Novak", "Kowalski", "Rossi", "Jensen"};
inline constexpr std::array<std::string_view, 8> kDomains = {
    "contoso.com", "fabrikam.de", "northwind.fr", "adatum.ru", "litware.cn", "tailspin.co.jp", "woodgrove.com",
    "example.org"};
inline constexpr std::array<std::string_view, 24> kFolders = {
    "Inbox", "Sent Items", "Deleted Items", "Drafts", "Calendar", "Contacts", "Tasks", "Notes", "Journal",
    "Junk Email", "Outbox", "Archive", "Posteingang", "Gesendete Elemente", "Boîte de réception", "Входящие",
    "Отправленные", "收件箱", "已发送邮件", "受信トレイ", "送信済みアイテム", "Projects", "Customers", "Reports"};

enum class Language { english, german, french, russian, chinese, japanese };

inline const words::List& word_list(Language l) {
  switch (l) {
    case Language::german: return words::kGerman;
    case Language::french: return words::kFrench;
    case Language::russian: return words::kRussian;
    case Language::chinese: return words::kChinese;
    case Language::japanese: return words::kJapanese;
    default: return words::kEnglish;
  }
}

inline bool spaced(Language l) { return l != Language::chinese && l != Language::japanese; }

inline Language pick_language(Rng& rng) {
  // Roughly a European company with Russian and Asian partners.
  static constexpr Language kMix[] = {Language::english, Language::english, Language::english, Language::english,
                                      Language::german,  Language::german,  Language::french,  Language::russian,
                                      Language::chinese, Language::japanese};
  return kMix[rng.below(std::size(kMix))];
}

inline std::string sentence(Rng& rng, Language lang) {
  const auto& list = word_list(lang);
  std::string s;
  size_t n = rng.range(5, 16);
  for (size_t i = 0; i < n; ++i) {
    if (i && spaced(lang)) s += ' ';
    std::string_view w = rng.pick_common(list);
    if (i == 0 && spaced(lang) && !w.empty() && w[0] >= 'a' && w[0] <= 'z') {
      s += static_cast<char>(w[0] - 'a' + 'A');
      s += w.substr(1);
    } else {
      s += w;
    }
    if (spaced(lang) && i + 1 < n && rng.chance(8)) s += ',';
    if (!spaced(lang) && i + 1 < n && rng.chance(10)) s += "、";
  }
  s += spaced(lang) ? (rng.chance(15) ? "?" : ".") : "。";
  return s;
}

inline std::string paragraph(Rng& rng, Language lang) {
  std::string p;
  size_t n = rng.range(2, 6);
  for (size_t i = 0; i < n; ++i) {
    if (i && spaced(lang)) p += ' ';
    p += sentence(rng, lang);
  }
  return p;
}

struct Person {
  std::string first, last, email, company;
  Language lang;
};

inline Person person(Rng& rng) {
  Person p;
  p.first = rng.pick(kFirstNames);
  p.last = rng.pick(kLastNames);
  std::string_view dom = rng.pick_common(kDomains);
  p.email = "user" + std::to_string(rng.below(5000)) + "@" + std::string(dom);
  p.company = std::string(dom.substr(0, dom.find('.')));
  p.lang = pick_language(rng);
  return p;
}

inline std::string subject(Rng& rng, Language lang) {
  std::string s;
  if (rng.chance(30)) s += "RE: ";
  if (rng.chance(10)) s += "FW: ";
  const auto& list = word_list(lang);
  size_t n = rng.range(2, 7);
  for (size_t i = 0; i < n; ++i) {
    if (i && spaced(lang)) s += ' ';
    s += rng.pick_common(list);
  }
  if (rng.chance(20)) s += " Q" + std::to_string(rng.range(1, 4)) + " 202" + std::to_string(rng.range(3, 6));
  return s;
}

inline std::string signature(const Person& p) {
  return "--\n" + p.first + " " + p.last + "\nSenior Consultant | " + p.company +
         "\nPhone +49 89 " + std::to_string(1000000 + (p.email.size() * 7919) % 8999999) + "\n" + p.email + "\n";
}

inline std::string disclaimer(const Person& p) {
  return "This e-mail and any attachments are confidential and intended solely for the addressee. If you "
         "have received it in error, please notify the sender and delete it. " +
         p.company + " accepts no liability for any damage caused by viruses transmitted by this e-mail.\n";
}

inline std::string plain_body(Rng& rng, const Person& from, const Person& to) {
  std::string b = (from.lang == Language::german ? "Hallo " : from.lang == Language::french ? "Bonjour " : "Hi ");
  b += to.first + ",\n\n";
  size_t paras = rng.range(1, 5);
  for (size_t i = 0; i < paras; ++i) b += paragraph(rng, from.lang) + "\n\n";
  b += signature(from);
  if (rng.chance(50)) b += "\n" + disclaimer(from);
  if (rng.chance(45)) {
    // A quoted earlier message: the same kind of text again, prefixed line by line.
    std::string quoted = "Hi " + from.first + ",\n\n" + paragraph(rng, to.lang) + "\n\n" + signature(to);
    b += "\nOn " + std::to_string(rng.range(1, 28)) + ".0" + std::to_string(rng.range(1, 9)) + ".2024, " +
         to.first + " " + to.last + " <" + to.email + "> wrote:\n";
    size_t start = 0;
    while (start < quoted.size()) {
      size_t nl = quoted.find('\n', start);
      if (nl == std::string::npos) nl = quoted.size();
      b += "> " + quoted.substr(start, nl - start) + "\n";
      start = nl + 1;
    }
  }
  return b;
}

inline std::string html_body(Rng& rng, const Person& from, const Person& to) {
  std::string h =
      "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
      "<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
      "<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\"><style><!--\n"
      "p.MsoNormal, li.MsoNormal, div.MsoNormal {margin:0cm;font-size:11.0pt;font-family:\"Calibri\",sans-serif;}\n"
      "a:link, span.MsoHyperlink {mso-style-priority:99;color:#0563C1;text-decoration:underline;}\n"
      "span.EmailStyle17 {mso-style-type:personal-compose;font-family:\"Calibri\",sans-serif;color:windowtext;}\n"
      "--></style></head><body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\"><div class=\"WordSection1\">\n";
  h += "<p class=\"MsoNormal\">Hi " + to.first + ",<o:p></o:p></p>\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\n";
  size_t paras = rng.range(1, 6);
  for (size_t i = 0; i < paras; ++i) {
    h += "<p class=\"MsoNormal\"><span style=\"font-size:11.0pt;font-family:&quot;Calibri&quot;,sans-serif\">";
    h += paragraph(rng, from.lang);
    h += "<o:p></o:p></span></p>\n";
    if (rng.chance(20)) {
      h += "<ul style=\"margin-top:0cm\" type=\"disc\">\n";
      for (size_t k = rng.range(2, 5); k; --k)
        h += "<li class=\"MsoListParagraph\" style=\"margin-left:0cm;mso-list:l0 level1 lfo1\">" +
             sentence(rng, from.lang) + "<o:p></o:p></li>\n";
      h += "</ul>\n";
    }
  }
  h += "<p class=\"MsoNormal\"><b><span style=\"color:#1F3864\">" + from.first + " " + from.last +
       "</span></b><br><span style=\"font-size:9.0pt;color:gray\">" + from.company + " | <a href=\"mailto:" +
       from.email + "\">" + from.email + "</a></span><o:p></o:p></p>\n";
  if (rng.chance(40)) {
    h += "<div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm\"><p class=\"MsoNormal\">"
         "<b>From:</b> " + to.first + " " + to.last + " &lt;" + to.email + "&gt;<br><b>Sent:</b> Monday, " +
         std::to_string(rng.range(1, 28)) + " October 2024 " + std::to_string(rng.range(8, 18)) + ":" +
         std::to_string(rng.range(10, 59)) + "<br><b>To:</b> " + from.first + " " + from.last +
         "<br><b>Subject:</b> " + subject(rng, to.lang) + "<o:p></o:p></p></div>\n<p class=\"MsoNormal\">" +
         paragraph(rng, to.lang) + "<o:p></o:p></p>\n";
  }
  h += "</div></body></html>\n";
  return h;
}

inline std::string base64(std::span<const uint8_t> data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t line = 0;
  for (size_t i = 0; i < data.size(); i += 3) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (i + 1 < data.size()) v |= uint32_t{data[i + 1]} << 8;
    if (i + 2 < data.size()) v |= data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[v & 63] : '=';
    if ((line += 4) == 76) out += "\r\n", line = 0;
  }
  return out + "\r\n";
}

inline std::string encoded_word(std::string_view utf8) {
  bool ascii = std::all_of(utf8.begin(), utf8.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  if (ascii) return std::string(utf8);
  return "=?UTF-8?B?" +
         base64({reinterpret_cast<const uint8_t*>(utf8.data()), utf8.size()}).substr(0, (utf8.size() + 2) / 3 * 4) + "?=";
}

inline std::string mime_message(Rng& rng) {
  Person from = person(rng), to = person(rng);
  std::string date = std::to_string(rng.range(1, 28)) + " Oct 2024 " + std::to_string(rng.range(10, 23)) + ":" +
                     std::to_string(rng.range(10, 59)) + ":" + std::to_string(rng.range(10, 59)) + " +0200";
  std::string m;
  for (size_t hop = rng.range(2, 4); hop; --hop)
    m += "Received: from mail" + std::to_string(rng.below(40)) + "." + std::string(rng.pick(kDomains)) + " (10." +
         std::to_string(rng.below(256)) + "." + std::to_string(rng.below(256)) + "." + std::to_string(rng.below(256)) +
         ") by EXCH" + std::to_string(rng.range(1, 9)) +
         ".corp.local (15.2.1544.4) with Microsoft SMTP Server (version=TLS1_2, "
         "cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.2.1544.4; " + date + "\r\n";
  uint8_t sig[128];
  for (auto& b : sig) b = static_cast<uint8_t>(rng.next());
  m += "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + from.email.substr(from.email.find('@') + 1) +
       "; s=selector1; h=From:Date:Subject:Message-ID:Content-Type:MIME-Version; b=" + base64(sig);
  std::string subj = subject(rng, from.lang);
  m += "From: " + encoded_word(from.first + " " + from.last) + " <" + from.email + ">\r\nTo: " +
       encoded_word(to.first + " " + to.last) + " <" + to.email + ">\r\nSubject: " + encoded_word(subj) +
       "\r\nDate: " + date + "\r\nMessage-ID: <" + std::to_string(rng.next()) + "@" +
       from.email.substr(from.email.find('@') + 1) + ">\r\nMIME-Version: 1.0\r\n";
  std::string boundary = "_004_" + std::to_string(rng.next()) + "_";
  m += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n--" + boundary +
       "\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
       plain_body(rng, from, to) + "\r\n--" + boundary +
       "\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
       html_body(rng, from, to);
  // Attachments: mostly already-compressed formats (JPEG, PDF, OOXML), some CSV/text.
  for (size_t a = rng.range(0, 2); a; --a) {
    size_t size = rng.range(1500, 6000);
    std::vector<uint8_t> data;
    data.reserve(size);
    std::string name;
    if (rng.chance(70)) {
      name = rng.chance(50) ? "IMG_" + std::to_string(rng.range(1000, 9999)) + ".jpg" : "report.pdf";
      for (size_t i = 0; i < size; ++i) data.push_back(static_cast<uint8_t>(rng.next()));
    } else {
      name = "export.csv";
      while (data.size() < size) {
        std::string row = std::to_string(rng.range(10000, 99999)) + ";" + std::string(rng.pick(kLastNames)) + ";" +
                          std::to_string(rng.range(1, 28)) + ".10.2024;" + std::to_string(rng.range(1, 99999)) +
                          "," + std::to_string(rng.range(10, 99)) + ";EUR\r\n";
        data.insert(data.end(), row.begin(), row.end());
      }
    }
    m += "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream; name=\"" + name +
         "\"\r\nContent-Disposition: attachment; filename=\"" + name +
         "\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64(data);
  }
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

// ---- ROP buffers ---------------------------------------------------------------------------

// A store with its replica GUID; FIDs and MIDs are 2-byte replica index + 6-byte global counter.
struct Store {
  uint8_t provider_uid[16];
  uint8_t database_guid[16];
  uint64_t next_counter;
};

inline uint64_t fid_mid(uint16_t replica, uint64_t counter) {
  // The global counter is big-endian on the wire inside the little-endian 8-byte ID.
  uint64_t v = replica;
  for (int i = 0; i < 6; ++i) v |= ((counter >> (8 * (5 - i))) & 0xFF) << (16 + 8 * i);
  return v;
}

inline void counter_bytes(ByteWriter& w, uint64_t counter) {
  for (int i = 5; i >= 0; --i) w.u8(static_cast<uint8_t>(counter >> (8 * i)));
}

// The 70-byte Message EntryID of MS-OXCDATA 2.2.4.3.
inline void message_entry_id(ByteWriter& w, const Store& s, uint64_t folder_counter, uint64_t message_counter) {
  w.u16(70);  // PtypBinary COUNT
  w.u32(0);   // Flags
  w.bytes(s.provider_uid);
  w.u16(0x0007);  // eitLTPrivateMessage
  w.bytes(s.database_guid);
  counter_bytes(w, folder_counter);
  w.u16(0);
  w.bytes(s.database_guid);
  counter_bytes(w, message_counter);
  w.u16(0);
}

inline Store make_store(Rng& rng) {
  Store s{};
  for (auto& b : s.provider_uid) b = static_cast<uint8_t>(rng.next());
  for (auto& b : s.database_guid) b = static_cast<uint8_t>(rng.next());
  s.next_counter = 0x10000 + rng.below(1u << 20);
  return s;
}

inline void utf16z(ByteWriter& w, std::string_view s) { write_utf16z(w, s); }

// RopQueryRows response (MS-OXCROPS 2.2.5.4.2) over a contents table with an Outlook-like column set.
inline void query_rows_contents(Rng& rng, ByteWriter& w, size_t budget) {
  Store store = make_store(rng);
  uint64_t folder_counter = store.next_counter++;
  uint64_t fid = fid_mid(1, folder_counter);
  uint64_t time = 133700000000000000ull + rng.below(1ull << 40);
  w.u8(0x15);  // RopId
  w.u8(static_cast<uint8_t>(rng.below(4)));
  w.u32(0);    // ReturnValue
  w.u8(0x02);  // Origin: Current
  size_t count_at = w.placeholder_u16();
  size_t start = w.size();
  uint16_t rows = 0;
  std::vector<std::string> thread_subjects;
  while (w.size() - start + 400 < budget) {
    Person from = person(rng);
    std::string subj;
    if (!thread_subjects.empty() && rng.chance(35)) {
      subj = "RE: " + thread_subjects[rng.below(thread_subjects.size())];
    } else {
      subj = subject(rng, from.lang);
      thread_subjects.push_back(subj);
    }
    bool flagged = rng.chance(25);
    time -= rng.range(600000000ull, 36000000000ull);  // 1 minute to 1 hour earlier
    uint64_t mid_counter = store.next_counter + rng.below(4);
    store.next_counter = mid_counter + 1;
    auto value = [&](bool present) {  // FlaggedPropertyValue prefix
      if (!flagged) return true;
      if (present) {
        w.u8(0x00);
        return true;
      }
      w.u8(0x0A);
      w.u32(0x8004010F);  // NotFound
      return false;
    };
    w.u8(flagged ? 0x01 : 0x00);  // PropertyRow Flag
    if (value(true)) w.u64(fid);                             // PidTagFolderId
    if (value(true)) w.u64(fid_mid(1, mid_counter));         // PidTagMid
    if (value(true)) w.u32(0x00000001 | (rng.chance(60) ? 0 : 0x0400));  // PidTagMessageFlags
    if (value(true)) utf16z(w, subj);                        // PidTagSubject
    if (value(true)) utf16z(w, from.first + " " + from.last);  // PidTagSentRepresentingName
    if (value(true)) w.u64(time);                            // PidTagMessageDeliveryTime
    if (value(true)) w.u32(static_cast<uint32_t>(rng.range(2000, 200000)));  // PidTagMessageSize
    if (value(true)) w.u32(rng.chance(90) ? 1 : 2);         // PidTagImportance
    if (value(true)) w.u8(rng.chance(20) ? 1 : 0);          // PidTagHasAttachments
    if (value(!rng.chance(40))) w.u32(rng.chance(50) ? 1 : 2);  // PidTagFlagStatus (often absent)
    if (value(true)) utf16z(w, rng.chance(85) ? "IPM.Note" : "IPM.Schedule.Meeting.Request");  // PidTagMessageClass
    if (value(true)) w.u32(rng.chance(80) ? 0x00000100 : 0x00000105);  // PidTagIconIndex
    if (value(true)) message_entry_id(w, store, folder_counter, mid_counter);  // PidTagEntryId
    ++rows;
  }
  w.patch_u16(count_at, rows);
}

// RopQueryRows over a hierarchy table: folder rows.
inline void query_rows_hierarchy(Rng& rng, ByteWriter& w, size_t budget) {
  Store store = make_store(rng);
  w.u8(0x15);
  w.u8(static_cast<uint8_t>(rng.below(4)));
  w.u32(0);
  w.u8(0x02);
  size_t count_at = w.placeholder_u16();
  size_t start = w.size();
  uint16_t rows = 0;
  while (w.size() - start + 200 < budget && rows < 2000) {
    uint64_t counter = store.next_counter++;
    w.u8(0x00);
    w.u64(fid_mid(1, counter));  // PidTagFolderId
    std::string name(rng.pick(kFolders));
    if (rng.chance(50)) name += " " + std::to_string(rng.range(2015, 2025));
    utf16z(w, name);                                     // PidTagDisplayName
    w.u32(static_cast<uint32_t>(rng.below(5000)));       // PidTagContentCount
    w.u32(static_cast<uint32_t>(rng.below(50)));         // PidTagContentUnreadCount
    w.u8(rng.chance(30) ? 1 : 0);                        // PidTagSubfolders
    utf16z(w, rng.chance(80) ? "IPF.Note" : "IPF.Appointment");  // PidTagContainerClass
    w.u16(22);                                           // PidTagSourceKey: XID
    w.bytes(store.database_guid);
    counter_bytes(w, counter);
    ++rows;
  }
  w.patch_u16(count_at, rows);
}

// RopFastTransferSourceGetBuffer response (MS-OXCROPS 2.2.13.5.2) carrying a message download
// (MS-OXCFXICS 2.2.4: markers and property values, the body in UTF-16LE).
inline void fast_transfer_buffer(Rng& rng, ByteWriter& w, size_t budget) {
  w.u8(0x4E);
  w.u8(static_cast<uint8_t>(rng.below(4)));
  w.u32(0);
  w.u16(0x0001);  // TransferStatus: Partial
  w.u16(static_cast<uint16_t>(rng.below(100)));
  w.u16(static_cast<uint16_t>(rng.range(100, 200)));
  w.u8(0);
  size_t size_at = w.placeholder_u16();
  size_t start = w.size();
  Store store = make_store(rng);
  while (w.size() - start + 1200 < budget) {
    Person from = person(rng), to = person(rng);
    w.u32(0x400C0003);  // StartMessage
    auto tag = [&](uint32_t t) { w.u32(t); };
    tag(0x0037001F);  // PidTagSubject
    std::string subj = subject(rng, from.lang);
    Bytes s16 = utf8_to_utf16le(subj);
    w.u32(static_cast<uint32_t>(s16.size() + 2));
    w.bytes(s16);
    w.u16(0);
    tag(0x001A001F);  // PidTagMessageClass
    Bytes cls = utf8_to_utf16le("IPM.Note");
    w.u32(static_cast<uint32_t>(cls.size() + 2));
    w.bytes(cls);
    w.u16(0);
    tag(0x0E060040);  // PidTagMessageDeliveryTime
    w.u64(133700000000000000ull + rng.below(1ull << 40));
    tag(0x0E080003);  // PidTagMessageSize
    w.u32(static_cast<uint32_t>(rng.range(2000, 90000)));
    tag(0x0042001F);  // PidTagSentRepresentingName
    Bytes name = utf8_to_utf16le(from.first + " " + from.last);
    w.u32(static_cast<uint32_t>(name.size() + 2));
    w.bytes(name);
    w.u16(0);
    tag(0x65E00102);  // PidTagSourceKey
    w.u32(22);
    w.bytes(store.database_guid);
    counter_bytes(w, store.next_counter++);
    tag(0x1000001F);  // PidTagBody
    Bytes body = utf8_to_utf16le(plain_body(rng, from, to));
    size_t room = budget - (w.size() - start);
    if (body.size() + 64 > room) body.resize(room > 64 ? (room - 64) & ~size_t{1} : 0);
    w.u32(static_cast<uint32_t>(body.size() + 2));
    w.bytes(body);
    w.u16(0);
    w.u32(0x40130003);  // StartRecip
    tag(0x3001001F);    // PidTagDisplayName
    Bytes rn = utf8_to_utf16le(to.first + " " + to.last);
    w.u32(static_cast<uint32_t>(rn.size() + 2));
    w.bytes(rn);
    w.u16(0);
    tag(0x0C150003);  // PidTagRecipientType
    w.u32(1);
    w.u32(0x40140003);  // EndToRecip
    w.u32(0x400D0003);  // EndMessage
  }
  w.patch_u16_length(size_at, start, "TransferBufferSize");
}

inline Bytes rop_buffer(Rng& rng) {
  ByteWriter w;
  size_t budget = rng.range(8 * 1024, 31 * 1024);
  unsigned kind = static_cast<unsigned>(rng.below(10));
  if (kind < 6)
    query_rows_contents(rng, w, budget);
  else if (kind < 7)
    query_rows_hierarchy(rng, w, budget);
  else
    fast_transfer_buffer(rng, w, std::min<size_t>(budget, 30000));
  return w.take();
}

inline void append(Bytes& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

enum class Kind { rop, body, mime };
inline constexpr std::array<std::pair<Kind, double>, 3> kShares = {
    {{Kind::rop, 0.40}, {Kind::body, 0.35}, {Kind::mime, 0.25}}};
inline const char* kind_name(Kind k) { return k == Kind::rop ? "ROP buffers" : k == Kind::body ? "message bodies" : "MIME + base64"; }

// Appends one payload of the given kind.
inline void append_payload(Rng& rng, Kind kind, Bytes& out) {
  if (kind == Kind::rop) {
    Bytes b = rop_buffer(rng);
    out.insert(out.end(), b.begin(), b.end());
  } else if (kind == Kind::body) {
    Person from = person(rng), to = person(rng);
    append(out, rng.chance(50) ? plain_body(rng, from, to) : html_body(rng, from, to));
  } else {
    append(out, mime_message(rng));
  }
}

// The corpus: `size` bytes of payloads in the shares given above.
inline Bytes generate(size_t size = kDefaultSize, uint64_t seed = kDefaultSeed) {
  Rng rng(seed);
  Bytes out;
  out.reserve(size + 64 * 1024);
  std::array<size_t, kShares.size()> produced{};
  while (out.size() < size) {
    // Feed whichever share is furthest behind its target.
    double total = static_cast<double>(out.size()) + 1;
    size_t pick = 0;
    double best_gap = -1e9;
    for (size_t k = 0; k < kShares.size(); ++k) {
      double gap = kShares[k].second - static_cast<double>(produced[k]) / total;
      if (gap > best_gap) best_gap = gap, pick = k;
    }
    size_t before = out.size();
    append_payload(rng, kShares[pick].first, out);
    produced[pick] += out.size() - before;
  }
  out.resize(size);
  return out;
}

// Payloads of one kind only, to see how each part of the corpus compresses.
inline Bytes generate_kind(Kind kind, size_t size, uint64_t seed = kDefaultSeed) {
  Rng rng(seed ^ (static_cast<uint64_t>(kind) + 1) * 0x9E3779B97F4A7C15ull);
  Bytes out;
  while (out.size() < size) append_payload(rng, kind, out);
  out.resize(size);
  return out;
}

// The corpus cut into MAPI-sized blocks (the last one may be shorter).
inline std::vector<ByteView> blocks(const Bytes& corpus, size_t block_size = kBlockSize) {
  std::vector<ByteView> out;
  for (size_t at = 0; at < corpus.size(); at += block_size)
    out.emplace_back(corpus.data() + at, std::min(block_size, corpus.size() - at));
  return out;
}

}  // namespace exmapi::test::lz77_corpus
