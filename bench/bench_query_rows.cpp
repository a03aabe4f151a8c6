// RopQueryRows response decoding throughput (issue: every ROP, benchmark section).
//
// Input: realistic 32 KB RopQueryRows response buffers — about 80 rows of 12 message-list columns
// (UTF-16 subjects and names with some non-ASCII text, FILETIMEs, entry IDs, sizes, flags; a fifth of
// the rows flagged with missing or error values) — built with our encoder from generated values.
// Measured: decoding every buffer into typed values (the full response decoder with the table's
// columns as context), in MB/s of response bytes and rows/s, with the heap allocations per row
// counted by a replaced operator new — both into owned values (RopQueryRows::Response) and into the
// zero-copy view (RopQueryRows::ResponseView: typed scalars, strings and binaries left in place); memcpy of the same bytes in the same run as a baseline that
// shows how fast this machine moves memory at the moment; and the time of one encode of a full 32 KB
// request batch (RopSetColumns + RopQueryRows + RopGetPropertiesSpecific + RopOpenMessage ... until
// the buffer is full).
// Usage: bench_query_rows [buffers] [repetitions]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "rop/property_tag.hpp"
#include "rop/rop_buffer.hpp"

using namespace exmapi;
using namespace exmapi::rop;

// The replaced operator new/delete pair below is malloc/free underneath; GCC cannot see that the
// pair matches when it inlines them.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
std::atomic<size_t> g_allocations{0};
}  // namespace

void* operator new(size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 2685821657736338717ull;
  }
  size_t below(size_t n) { return static_cast<size_t>(next() % n); }
};

const char* const kWords[] = {"Quarterly", "report", "meeting", "budget", "review", "project", "update", "Re:",
                              "Fwd:", "invoice", "schedule", "Zürich", "Besprechung", "déjeuner", "contract",
                              "release", "notes", "team", "offsite", "プロジェクト", "согласование", "draft"};
const char* const kNames[] = {"Alice Martin", "Bob Schneider", "Chloé Dubois", "Dmitri Ivanov", "Eva Lindqvist",
                              "Frank O'Brien", "Grace Hopper", "田中 太郎", "Hannah Müller", "Ian Wright"};

std::string words(Rng& g, size_t min_words, size_t max_words) {
  std::string s;
  size_t n = min_words + g.below(max_words - min_words + 1);
  for (size_t i = 0; i < n; ++i) {
    if (i) s += ' ';
    s += kWords[g.below(std::size(kWords))];
  }
  return s;
}

Bytes entry_id(Rng& g) {
  Bytes b(70);  // a message entry ID (MS-OXCDATA 2.2.4.3): flags, provider UID, type, two GIDs, padding
  for (auto& x : b) x = static_cast<uint8_t>(g.next());
  b[0] = b[1] = b[2] = b[3] = 0;
  return b;
}

const std::vector<PropTag> kColumns = {
    0x674A0014,  // PidTagMid
    0x674D0014,  // PidTagInstID
    0x0037001F,  // PidTagSubject
    0x0042001F,  // PidTagSentRepresentingName
    0x0E04001F,  // PidTagDisplayTo
    0x0E060040,  // PidTagMessageDeliveryTime
    0x30080040,  // PidTagLastModificationTime
    0x0E080003,  // PidTagMessageSize
    0x0E070003,  // PidTagMessageFlags
    0x001A001F,  // PidTagMessageClass
    0x0FFF0102,  // PidTagEntryId
    0x0E1B000B,  // PidTagHasAttachments
};

PropertyRow make_row(Rng& g) {
  PropertyRow row;
  row.flagged = g.below(5) == 0;
  uint64_t t = 133000000000000000ull + g.below(1000000000) * 10000000ull;
  std::vector<PropertyValue> v = {
      PropertyValue::int64(static_cast<int64_t>(g.next() >> 16)),
      PropertyValue::int64(static_cast<int64_t>(g.next() >> 16)),
      PropertyValue::string(words(g, 6, 16)),
      PropertyValue::string(kNames[g.below(std::size(kNames))]),
      PropertyValue::string(std::string(kNames[g.below(std::size(kNames))]) + "; " + kNames[g.below(std::size(kNames))]),
      PropertyValue::time(t),
      PropertyValue::time(t + 600000000),
      PropertyValue::int32(static_cast<int32_t>(2000 + g.below(200000))),
      PropertyValue::int32(static_cast<int32_t>(g.below(64))),
      PropertyValue::string(g.below(4) ? "IPM.Note" : "IPM.Schedule.Meeting.Request"),
      PropertyValue::binary(entry_id(g)),
      PropertyValue::boolean(g.below(3) == 0),
  };
  for (size_t i = 0; i < v.size(); ++i) {
    PropertyCell c;
    c.value = std::move(v[i]);
    if (row.flagged && (i == 4 || i == 6) && g.below(2)) {
      c.flag = i == 4 ? ValueFlag::Absent : ValueFlag::Error;
      c.value = i == 4 ? PropertyValue::null() : PropertyValue::error_code(0x8004010F);
    }
    row.cells.push_back(std::move(c));
  }
  return row;
}

// One RopQueryRows response as it sits in a ROP output buffer, filled to just under 32 KB.
Bytes make_response(Rng& g, size_t& rows_out) {
  RopQueryRows::Response resp;
  resp.columns = std::make_shared<const std::vector<PropTag>>(kColumns);
  resp.origin = 2;
  // RopId, InputHandleIndex, ReturnValue, Origin, RowCount: 9 bytes before the rows.
  size_t size = 9;
  for (;;) {
    PropertyRow row = make_row(g);
    ByteWriter w;
    encode_property_row(w, row, kColumns, CountWidth::Narrow);
    if (size + w.size() > 32 * 1024 - 8) break;
    size += w.size();
    resp.rows.push_back(std::move(row));
  }
  ByteWriter w;
  encode_response(w, RopResponse{resp});
  rows_out = resp.rows.size();
  return Bytes(w.view().begin(), w.view().end());
}

RopRequestBuffer make_request_batch(Rng& g) {
  RopRequestBuffer b;
  size_t size = 2;
  for (uint8_t i = 0;; ++i) {
    RopSetColumns::Request sc;
    sc.input_handle_index = i;
    sc.property_tags = kColumns;
    RopQueryRows::Request qr;
    qr.input_handle_index = i;
    qr.row_count = 80;
    RopGetPropertiesSpecific::Request gp;
    gp.input_handle_index = i;
    gp.property_size_limit = 0;
    gp.want_unicode = 1;
    gp.property_tags = kColumns;
    RopOpenFolder::Request of;
    of.input_handle_index = i;
    of.output_handle_index = static_cast<uint8_t>(i + 1);
    of.folder_id = ObjectId{1, g.next() & 0xFFFFFFFFFFFFull}.to_wire_u64();
    for (RopRequest r : {RopRequest{sc}, RopRequest{qr}, RopRequest{gp}, RopRequest{of}}) {
      ByteWriter w;
      encode_request(w, r);
      if (size + w.size() + 4 * (b.handles.size() + 1) > 32 * 1024) return b;
      size += w.size();
      b.rops.push_back(std::move(r));
    }
    b.handles.push_back(static_cast<uint32_t>(g.next()));
  }
  return b;
}

double seconds_of(auto&& run) {
  auto a = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  size_t buffers = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 64;
  int reps = argc > 2 ? std::atoi(argv[2]) : 15;
  if (buffers == 0 || reps <= 0) {
    std::fprintf(stderr, "usage: bench_query_rows [buffers>0] [repetitions>0]\n");
    return 1;
  }
  Rng g{0x5EED5EEDull};
  std::vector<Bytes> inputs;
  size_t total_bytes = 0, total_rows = 0;
  for (size_t i = 0; i < buffers; ++i) {
    size_t rows = 0;
    inputs.push_back(make_response(g, rows));
    total_bytes += inputs.back().size();
    total_rows += rows;
  }
  ResponseContext context;
  context.columns = std::make_shared<const std::vector<PropTag>>(kColumns);

  // Checks, outside the timing, that each buffer decodes whole and to the rows it was built from.
  size_t checked_rows = 0;
  for (const Bytes& b : inputs) {
    ByteReader r(b);
    RopResponse resp = decode_response(r, &context);
    if (!r.empty()) {
      std::fprintf(stderr, "bench_query_rows: %zu bytes left after a response\n", r.remaining());
      return 1;
    }
    checked_rows += get<RopQueryRows::Response>(resp).rows.size();
  }
  if (checked_rows != total_rows) {
    std::fprintf(stderr, "bench_query_rows: decoded %zu rows, built %zu\n", checked_rows, total_rows);
    return 1;
  }

  size_t sink = 0;
  auto decode_all = [&] {
    for (const Bytes& b : inputs) {
      ByteReader r(b);
      RopResponse resp = decode_response(r, &context);
      sink += get<RopQueryRows::Response>(resp).rows.size();
    }
  };
  RopQueryRows::ResponseView view;
  auto decode_all_view = [&] {
    for (const Bytes& b : inputs) {
      ByteReader r(b);
      decode_query_rows_view(r, context, view);
      sink += view.rows.size();
    }
  };
  // The view, then every string converted to UTF-8 (into one reused buffer, as a list view that
  // draws each row would): the whole cost of showing the text.
  std::string text;
  auto decode_all_view_text = [&] {
    for (const Bytes& b : inputs) {
      ByteReader r(b);
      decode_query_rows_view(r, context, view);
      for (size_t i = 0; i < view.rows.size(); ++i)
        for (const CellView& c : view.rows.row(i))
          if (c.flag == ValueFlag::Present && c.type == ptyp::String) {
            text.clear();
            utf16le_to_utf8(c.data.data(), c.data.size() / 2, text);
            sink += text.size();
          }
    }
  };
  Bytes copy(32 * 1024);
  auto copy_all = [&] {
    for (const Bytes& b : inputs) {
      std::memcpy(copy.data(), b.data(), b.size());
      sink += copy[b.size() / 2];
    }
  };
  decode_all();
  decode_all_view();
  copy_all();
  decode_all_view_text();
  std::vector<double> td, tv, tt, tc;
  for (int i = 0; i < reps; ++i) {
    td.push_back(seconds_of(decode_all));
    tv.push_back(seconds_of(decode_all_view));
    tt.push_back(seconds_of(decode_all_view_text));
    tc.push_back(seconds_of(copy_all));
  }
  size_t before = g_allocations.load();
  decode_all();
  double allocations_per_row = double(g_allocations.load() - before) / double(total_rows);
  before = g_allocations.load();
  decode_all_view();
  double view_allocations_per_row = double(g_allocations.load() - before) / double(total_rows);
  // The view must hold what the owned decoder holds.
  for (const Bytes& b : inputs) {
    ByteReader r1(b), r2(b);
    auto owned = get<RopQueryRows::Response>(decode_response(r1, &context));
    decode_query_rows_view(r2, context, view);
    for (size_t i = 0; i < owned.rows.size(); ++i)
      if (!(view.rows.to_row(i) == owned.rows[i])) {
        std::fprintf(stderr, "bench_query_rows: the view differs from the owned rows at row %zu\n", i);
        return 1;
      }
  }

  double mb = double(total_bytes) / 1e6;
  double decode_s = median(td), copy_s = median(tc);
  std::printf("[ input ] %zu RopQueryRows responses, %.2f MB, %zu rows (%.1f rows and %.0f bytes per buffer), %zu columns\n",
              buffers, mb, total_rows, double(total_rows) / buffers, double(total_bytes) / buffers, kColumns.size());
  std::printf("[ decode ] %.0f MB/s of response bytes (best %.0f), %.2f M rows/s, %.1f allocations per row\n",
              mb / decode_s, mb / *std::min_element(td.begin(), td.end()), total_rows / decode_s / 1e6,
              allocations_per_row);
  double view_s = median(tv);
  std::printf("[ view   ] %.0f MB/s of response bytes (best %.0f), %.2f M rows/s, %.3f allocations per row "
              "(rows left in the buffer: PropertyRowsView) = %.1fx the owned decoder\n",
              mb / view_s, mb / *std::min_element(tv.begin(), tv.end()), total_rows / view_s / 1e6,
              view_allocations_per_row, decode_s / view_s);
  double text_s = median(tt);
  std::printf("[ view+text ] %.0f MB/s (best %.0f), %.2f M rows/s: the view with every string converted to UTF-8\n",
              mb / text_s, mb / *std::min_element(tt.begin(), tt.end()), total_rows / text_s / 1e6);
  std::printf("[ memcpy ] %.0f MB/s in the same run: owned decoding runs at 1/%.1f of memcpy, the view at 1/%.1f\n",
              mb / copy_s, decode_s / copy_s, view_s / copy_s);

  RopRequestBuffer batch = make_request_batch(g);
  Bytes encoded = encode_request_buffer(batch);
  std::vector<double> te;
  for (int i = 0; i < reps * 20; ++i)
    te.push_back(seconds_of([&] { sink += encode_request_buffer(batch).size(); }));
  std::printf("[ encode ] one %zu-byte request buffer of %zu ROPs: %.1f us (median), %.0f MB/s\n", encoded.size(),
              batch.rops.size(), median(te) * 1e6, encoded.size() / median(te) / 1e6);
  return sink == 42 ? 3 : 0;
}
