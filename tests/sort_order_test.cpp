// SortOrderSet (MS-OXCDATA 2.13) against the RopSortTable example of MS-OXCTABL 4.3.1, plus the
// validity rules.
#include "rop/sort_order.hpp"

#include "test_support.hpp"

namespace exmapi::rop {
namespace {

using test::from_hex;
using test::to_hex;

uint32_t leading_hex(const nlohmann::json& field) {
  std::string text = field.is_string() ? field.get<std::string>() : std::to_string(field.get<int>());
  return static_cast<uint32_t>(std::stoul(text.substr(0, text.find(' ')), nullptr, 0));
}

TEST(SortOrderSet, SpecExampleRopSortTable) {
  auto v = test::load_vector("MS-OXCTABL/4_3_1_ropsorttable_request.json");
  Bytes bytes = from_hex(v["hex"].get<std::string>());
  ASSERT_EQ(bytes.size(), v["length"].get<size_t>());
  // The SortOrderSet starts where the layout says SortOrderCount does (after RopId, LogonId,
  // InputHandleIndex and SortTableFlags) and runs to the end.
  size_t at = 0;
  for (auto& f : v["layout"]) {
    if (f["field"] == "SortOrderCount") break;
    at += f["size"].get<size_t>();
  }
  ASSERT_EQ(at, 4u);
  const auto& d = v["decoded"];
  ByteReader r(ByteView(bytes).subspan(at), at);
  SortOrderSet set = decode_sort_order_set(r);
  EXPECT_TRUE(r.empty());
  ASSERT_EQ(set.sort_orders.size(), d["SortOrderCount"].get<size_t>());
  EXPECT_EQ(set.categorized_count, d["CategoryCount"].get<uint16_t>());
  EXPECT_EQ(set.expanded_count, d["ExpandedCount"].get<uint16_t>());
  for (size_t i = 0; i < set.sort_orders.size(); ++i) {
    EXPECT_EQ(set.sort_orders[i].tag, leading_hex(d["SortOrders"][i]["PropertyTag"])) << i;
    EXPECT_EQ(set.sort_orders[i].order, leading_hex(d["SortOrders"][i]["Order"])) << i;
  }
  // The values the vector states, spelled out as well.
  EXPECT_EQ(set.sort_orders[0].tag, 0x8008301Fu);  // PtypMultipleString with MultivalueInstance
  EXPECT_EQ(set.sort_orders[0].order, sort_order::Ascending);
  EXPECT_EQ(set.sort_orders[1].tag, 0x0E060040u);  // PidTagMessageDeliveryTime
  EXPECT_EQ(set.sort_orders[1].order, sort_order::Descending);

  ByteWriter w;
  encode_sort_order_set(w, set);
  EXPECT_EQ(to_hex(w.view()), to_hex(ByteView(bytes).subspan(at)));
  EXPECT_EQ(sort_order_set_problem(set), "");
}

// Decodes hex that must fail at `offset` with `needle` in the message.
void expect_rejected(const std::string& hex, size_t offset, const std::string& needle) {
  Bytes b = from_hex(hex);
  ByteReader r(b);
  try {
    SortOrderSet s = decode_sort_order_set(r);
    ADD_FAILURE() << "accepted " << hex;
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), offset) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(SortOrderSet, CountsMustNest) {
  // SortOrderCount 1, CategorizedCount 2: more categories than columns.
  expect_rejected("0100 0200 0000  0300 3700 00", 0, "CategorizedCount 2 exceeds SortOrderCount 1");
  // ExpandedCount 2 > CategorizedCount 1.
  expect_rejected("0200 0100 0200  0300 3700 00 0300 3800 00", 0, "ExpandedCount 2 exceeds CategorizedCount 1");
  // A count larger than the bytes present fails before anything is allocated.
  expect_rejected("ffff 0000 0000  0300 3700 00", 6, "SortOrders");
  expect_rejected("0200 0000 0000  0300 3700 00 0300", 6, "count 2 exceeds what the remaining 7 bytes");
}

TEST(SortOrderSet, OrderValuesAndMaximumCategoryPlacement) {
  expect_rejected("0100 0000 0000  0300 3700 02", 6, "Order 0x02");
  // MaximumCategory without categories.
  expect_rejected("0100 0000 0000  0300 3700 04", 6, "needs CategorizedCount > 0");
  // MaximumCategory as the category column itself, and two places after it.
  expect_rejected("0200 0100 0000  0300 3700 04 0300 3800 00", 6, "directly follow");
  expect_rejected("0300 0100 0000  0300 3700 00 0300 3800 00 0300 3900 04", 16, "SortOrders[2]");
  // Directly after the one category column: accepted.
  Bytes ok = from_hex("0300 0100 0100  1f00 3700 00 4000 060e 04 0300 3900 01");
  ByteReader r(ok);
  SortOrderSet set = decode_sort_order_set(r);
  EXPECT_EQ(set.sort_orders[1].order, sort_order::MaximumCategory);
  EXPECT_STREQ(sort_order_name(set.sort_orders[1].order), "MaximumCategory");
}

TEST(SortOrderSet, MultiValuedColumnsNeedTheInstanceFlag) {
  // 0x101F PtypMultipleString without 0x2000.
  expect_rejected("0100 0000 0000  1f10 0880 00", 6, "lacks the MultivalueInstance flag");
  // 0x2003: the instance flag on a single-valued type.
  expect_rejected("0100 0000 0000  0320 3700 00", 6, "single-valued type 0x2003");
}

TEST(SortOrderSet, EncoderRefusesWhatTheDecoderRejects) {
  SortOrderSet set;
  set.categorized_count = 1;
  set.sort_orders = {{0x0037001F, sort_order::Ascending}};
  set.expanded_count = 2;
  ByteWriter w;
  EXPECT_THROW(encode_sort_order_set(w, set), EncodeError);
  set.expanded_count = 1;
  set.sort_orders[0].order = 9;
  EXPECT_THROW(encode_sort_order_set(w, set), EncodeError);
  set.sort_orders[0].order = sort_order::Descending;
  encode_sort_order_set(w, set);
  EXPECT_EQ(to_hex(w.view()), "010001000100" "1f003700" "01");
  ByteReader r(w.view());
  EXPECT_EQ(decode_sort_order_set(r), set);
}

TEST(SortOrderSet, EmptySetRoundTrips) {
  Bytes empty = from_hex("000000000000");
  ByteReader r(empty);
  SortOrderSet set = decode_sort_order_set(r);
  EXPECT_TRUE(set.sort_orders.empty());
  ByteWriter w;
  encode_sort_order_set(w, set);
  EXPECT_EQ(to_hex(w.view()), "000000000000");
}

}  // namespace
}  // namespace exmapi::rop
