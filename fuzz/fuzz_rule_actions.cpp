// Fuzzes rule-action decoding (MS-OXORULE 2.2.5). Byte 0 bit 0 picks standard (0, 2-byte counts)
// or extended (1, 4-byte counts) rules; the rest is one RuleAction structure. Whatever decodes must
// re-encode to the very bytes it came from and decode to the same actions.
#include <algorithm>
#include <cstdlib>

#include "rop/rule_action.hpp"

using namespace exmapi;
using namespace exmapi::rop;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  CountWidth width = (data[0] & 1) ? CountWidth::Wide : CountWidth::Narrow;
  ByteReader r(ByteView(data + 1, size - 1), 1);
  try {
    RuleActions actions = decode_rule_actions(r, width);
    ByteWriter w;
    encode_rule_actions(w, actions, width);
    ByteView consumed = r.consumed();
    if (consumed.size() != w.size() || !std::equal(consumed.begin(), consumed.end(), w.view().begin())) std::abort();
    ByteReader again(w.view());
    if (!(decode_rule_actions(again, width) == actions) || !again.empty()) std::abort();
    if (describe(actions).empty()) std::abort();
  } catch (const DecodeError&) {
  }
  return 0;
}
