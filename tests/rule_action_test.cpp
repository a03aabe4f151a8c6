// Rule actions (MS-OXORULE 2.2.5): every action type in standard and extended form, ActionLength
// checks, unknown types kept raw, nesting through property values.
#include <random>

#include "rop/restriction.hpp"
#include "rop/rule_action.hpp"
#include "test_support.hpp"

namespace exmapi::rop {
namespace testgen {

using Rng = std::mt19937_64;
uint64_t pick(Rng& rng, uint64_t n);
Bytes random_bytes(Rng& rng, size_t max_len);
Guid random_guid(Rng& rng);
TaggedPropertyValue random_tagged(Rng& rng, CountWidth width, unsigned depth);

ActionBlock random_action_of(Rng& rng, uint8_t type, CountWidth width, unsigned depth) {
  bool wide = width == CountWidth::Wide;
  ActionBlock b;
  b.action_type = type;
  b.action_flavor = static_cast<uint32_t>(pick(rng, 2) ? 0 : rng());
  b.action_flags = static_cast<uint32_t>(rng());
  switch (type) {
    case 0x01:
    case 0x02: {
      MoveCopyActionData d;
      if (!wide) d.folder_in_this_store = static_cast<uint8_t>(pick(rng, 2));
      d.store_eid = random_bytes(rng, 30);
      d.folder_eid = random_bytes(rng, 30);
      b.data = d;
      break;
    }
    case 0x03:
    case 0x04: {
      ReplyActionData d;
      if (wide) {
        d.reply_template_message_eid = random_bytes(rng, 70);
      } else {
        d.reply_template_fid = rng();
        d.reply_template_mid = rng();
      }
      d.reply_template_guid = random_guid(rng);
      b.data = d;
      break;
    }
    case 0x05:
      b.data = DeferActionData{random_bytes(rng, 40)};
      break;
    case 0x06:
      b.data = BounceActionData{static_cast<uint32_t>(rng())};
      break;
    case 0x07:
    case 0x08: {
      ForwardDelegateActionData d;
      for (uint64_t i = pick(rng, 3); i > 0; --i) {
        RecipientBlock rb;
        rb.reserved = static_cast<uint8_t>(rng());
        for (uint64_t k = 1 + pick(rng, 3); k > 0; --k) rb.properties.push_back(random_tagged(rng, width, depth + 1));
        d.recipients.push_back(rb);
      }
      b.data = d;
      break;
    }
    case 0x09:
      b.data = TagActionData{random_tagged(rng, width, depth + 1)};
      break;
    case 0x0A:
    case 0x0B:
      b.data = EmptyActionData{};
      break;
    default:
      b.data = RawActionData{random_bytes(rng, 20)};
      break;
  }
  return b;
}

RuleActions random_rule_actions(Rng& rng, CountWidth width, unsigned depth) {
  RuleActions a;
  for (uint64_t i = pick(rng, 4); i > 0; --i) {
    uint8_t type = pick(rng, 8) ? static_cast<uint8_t>(1 + pick(rng, 11)) : static_cast<uint8_t>(0x0C + pick(rng, 0xF4));
    a.actions.push_back(random_action_of(rng, type, width, depth));
  }
  return a;
}

}  // namespace testgen

namespace {

using namespace testgen;

constexpr CountWidth kWidths[] = {CountWidth::Narrow, CountWidth::Wide};

Bytes encoded(const RuleActions& a, CountWidth width) {
  ByteWriter w;
  encode_rule_actions(w, a, width);
  return w.take();
}

void expect_round_trip(const RuleActions& a, CountWidth width) {
  Bytes first = encoded(a, width);
  ByteReader r(first);
  RuleActions decoded = decode_rule_actions(r, width);
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(decoded, a) << describe(a) << "\n vs " << describe(decoded);
  EXPECT_EQ(encoded(decoded, width), first);
}

TEST(RuleAction, EveryActionTypeRoundTripsInStandardAndExtendedForm) {
  Rng rng(31);
  for (CountWidth width : kWidths)
    for (unsigned type = 1; type <= 0x0C; ++type) {  // 0x0C: not in the table, kept raw
      SCOPED_TRACE(type);
      for (int i = 0; i < 60; ++i) {
        RuleActions a;
        a.actions.push_back(random_action_of(rng, static_cast<uint8_t>(type), width, 0));
        expect_round_trip(a, width);
      }
    }
  for (CountWidth width : kWidths)
    for (int i = 0; i < 200; ++i) expect_round_trip(random_rule_actions(rng, width, 0), width);
}

TEST(RuleAction, StandardMoveToFolderInThisStore) {
  // OP_MOVE to a folder of this mailbox: the FolderEID is a ServerEid (Ours, FID, MID=0, Instance=0).
  ServerId target{0x01, 0x0000000000130001ull, 0, 0, {}};
  Bytes folder_eid = test::from_hex("01 0100130000000000 0000000000000000 00000000");
  RuleActions a{{ActionBlock{0x01, 0, 0, MoveCopyActionData{1, {0x00}, folder_eid}}}};
  Bytes b = encoded(a, CountWidth::Narrow);
  EXPECT_EQ(test::to_hex(b), test::to_hex(test::from_hex("0100"        // NoOfActions
                                                         "2400"        // ActionLength = 9 + 27
                                                         "01 00000000 00000000"  // OP_MOVE, flavor, flags
                                                         "01 0100 00"  // FolderInThisStore, StoreEIDSize, StoreEID
                                                         "1500"        // FolderEIDSize 21
                                                         "01 0100130000000000 0000000000000000 00000000")));
  ByteReader rb(b);
  auto decoded = decode_rule_actions(rb, CountWidth::Narrow);
  auto& data = std::get<MoveCopyActionData>(decoded.actions[0].data);
  ASSERT_TRUE(data.folder_server_eid().has_value());
  EXPECT_EQ(*data.folder_server_eid(), target);
  EXPECT_EQ(describe(decoded).rfind("[OP_MOVE(flavor 0x0, flags 0x0, in this store", 0), 0u) << describe(decoded);
}

TEST(RuleAction, ExtendedFormWidensEveryCount) {
  RecipientBlock rb{0x01, {TaggedPropertyValue{0x3001001F, PropertyValue::string("A")}}};
  RuleActions a{{ActionBlock{0x07, 0, 0, ForwardDelegateActionData{{rb}}}}};
  EXPECT_EQ(test::to_hex(encoded(a, CountWidth::Narrow)),
            test::to_hex(test::from_hex("0100 1600 07 00000000 00000000 0100 01 0100 1f000130 41000000")));
  EXPECT_EQ(test::to_hex(encoded(a, CountWidth::Wide)),
            test::to_hex(test::from_hex("01000000 1a000000 07 00000000 00000000 01000000 01 01000000 1f000130 41000000")));
  // Extended OP_REPLY names its template by a Message EntryID with a 4-byte size.
  RuleActions reply{{ActionBlock{0x03, 0, 0, ReplyActionData{0, 0, {0xAA, 0xBB}, Guid{}}}}};
  Bytes b = encoded(reply, CountWidth::Wide);
  EXPECT_EQ(test::to_hex(ByteView(b).subspan(4 + 4 + 9, 6)), "02000000aabb");
  // A standard rule has no place for a Message EntryID, an extended one none for FolderInThisStore.
  ByteWriter w;
  EXPECT_THROW(encode_rule_actions(w, reply, CountWidth::Narrow), EncodeError);
  RuleActions move{{ActionBlock{0x01, 0, 0, MoveCopyActionData{1, {}, {}}}}};
  EXPECT_THROW(encode_rule_actions(w, move, CountWidth::Wide), EncodeError);
}

TEST(RuleAction, ActionDataMustExactlyFillActionLength) {
  // OP_BOUNCE with ActionLength 14: 9 + BounceCode (4) + one stray byte.
  Bytes extra = test::from_hex("0100 0e00 06 00000000 00000000 0d000000 ff");
  ByteReader r1(extra);
  try {
    decode_rule_actions(r1, CountWidth::Narrow);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 17u) << e.message();
    EXPECT_EQ(e.path(), "ActionBlocks[0].OP_BOUNCE") << e.message();
    EXPECT_NE(e.message().find("1 unexpected trailing bytes"), std::string::npos) << e.message();
  }
  // ActionLength 12: BounceCode does not fit in what is left of the block.
  Bytes short_block = test::from_hex("0100 0c00 06 00000000 00000000 0d000000");
  ByteReader r2(short_block);
  try {
    decode_rule_actions(r2, CountWidth::Narrow);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_EQ(e.offset(), 13u) << e.message();
    EXPECT_EQ(e.path(), "ActionBlocks[0].OP_BOUNCE.BounceCode") << e.message();
  }
  // ActionLength below the 9 header bytes.
  Bytes tiny = test::from_hex("0100 0400 0a 000000 00000000 00000000");
  ByteReader r3(tiny);
  try {
    decode_rule_actions(r3, CountWidth::Narrow);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(e.message().find("shorter than"), std::string::npos) << e.message();
  }
  // OP_DELETE carries no data.
  Bytes del = test::from_hex("0100 0a00 0a 00000000 00000000 00");
  ByteReader r4(del);
  EXPECT_THROW(decode_rule_actions(r4, CountWidth::Narrow), DecodeError);
  // A claimed ActionLength past the buffer.
  Bytes past = test::from_hex("0100 ff00 0a 00000000 00000000");
  ByteReader r5(past);
  EXPECT_THROW(decode_rule_actions(r5, CountWidth::Narrow), DecodeError);
  // Hostile NoOfActions.
  Bytes many = test::from_hex("ffffffff 0900 0a 00000000 00000000");
  ByteReader r6(many);
  EXPECT_THROW(decode_rule_actions(r6, CountWidth::Wide), DecodeError);
}

TEST(RuleAction, UnknownActionTypeIsKeptRaw) {
  Bytes b = test::from_hex("0100 0c00 42 01000000 02000000 aabbcc");
  ByteReader r(b);
  RuleActions a = decode_rule_actions(r, CountWidth::Narrow);
  ASSERT_EQ(a.actions.size(), 1u);
  EXPECT_EQ(a.actions[0].action_type, 0x42);
  EXPECT_EQ(std::get<RawActionData>(a.actions[0].data).data, test::from_hex("aabbcc"));
  EXPECT_EQ(encoded(a, CountWidth::Narrow), b);
}

TEST(RuleAction, EveryTruncationIsRejected) {
  Rng rng(77);
  for (CountWidth width : kWidths)
    for (int i = 0; i < 40; ++i) {
      RuleActions a = random_rule_actions(rng, width, 0);
      Bytes full = encoded(a, width);
      for (size_t len = 0; len < full.size(); ++len) {
        ByteReader r(ByteView(full).first(len));
        try {
          decode_rule_actions(r, width);
          // A prefix can only decode when it is a whole structure, which a prefix never is here
          // (NoOfActions says how many blocks follow and ActionLength how long each is).
          ADD_FAILURE() << "decoded a " << len << "-byte prefix of " << describe(a);
        } catch (const DecodeError& e) {
          EXPECT_LE(e.offset(), len);
        }
      }
    }
}

TEST(RuleAction, NestingThroughTagActionsIsBounded) {
  // OP_TAG whose value is a PtypRuleAction whose OP_TAG ... : the shared depth budget stops it.
  RuleActions a{{ActionBlock{0x0A, 0, 0, EmptyActionData{}}}};
  for (unsigned i = 0; i < kMaxNestingDepth; ++i)
    a = RuleActions{{ActionBlock{0x09, 0, 0, TagActionData{{0x668000FE, PropertyValue::rule_actions(a)}}}}};
  ByteWriter w;
  EXPECT_THROW(encode_rule_actions(w, a, CountWidth::Wide), EncodeError);
  RuleActions ok{{ActionBlock{0x0A, 0, 0, EmptyActionData{}}}};
  for (unsigned i = 0; i + 1 < kMaxNestingDepth; ++i)
    ok = RuleActions{{ActionBlock{0x09, 0, 0, TagActionData{{0x668000FE, PropertyValue::rule_actions(ok)}}}}};
  expect_round_trip(ok, CountWidth::Wide);
  // The same chain one level deeper, built by hand, is a DecodeError naming the limit.
  Bytes inner = encoded(ok, CountWidth::Wide);
  Bytes outer = test::from_hex("01000000");
  uint32_t len = static_cast<uint32_t>(9 + 4 + inner.size());
  for (int k = 0; k < 4; ++k) outer.push_back(static_cast<uint8_t>(len >> (8 * k)));
  Bytes head = test::from_hex("09 00000000 00000000 fe008066");
  outer.insert(outer.end(), head.begin(), head.end());
  outer.insert(outer.end(), inner.begin(), inner.end());
  ByteReader r(outer);
  try {
    decode_rule_actions(r, CountWidth::Wide);
    FAIL();
  } catch (const DecodeError& e) {
    EXPECT_NE(e.message().find("limit of 64 levels"), std::string::npos) << e.message();
  }
}

TEST(RuleAction, RuleActionsAsAPropertyValue) {
  // PidTagRuleActions (0x668000FE) in a RopModifyRules RuleData: PtypRuleAction, standard widths.
  Rng rng(3);
  for (CountWidth width : kWidths)
    for (int i = 0; i < 50; ++i) {
      TaggedPropertyValue v{0x668000FE, PropertyValue::rule_actions(random_rule_actions(rng, width, 0))};
      ByteWriter w;
      encode_tagged_property_value(w, v, width);
      ByteReader r(w.view());
      EXPECT_EQ(decode_tagged_property_value(r, width), v);
      EXPECT_TRUE(r.empty());
    }
}

}  // namespace
}  // namespace exmapi::rop
