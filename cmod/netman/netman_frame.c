/*
 * See netman_frame.h; run by the host tests (tests/test_port_rules.py).
 */
#include "netman_frame.h"

bool netman_frame_accepts(const netman_frame_filter_t *filter, const uint8_t *frame, size_t len) {
    if (len < NETMAN_FRAME_MIN || len > NETMAN_FRAME_MAX || (frame[0] & 3) != 0) {
        return false; // not an 802.11 frame of protocol version 0
    }
    uint8_t type = netman_frame_type(frame);
    uint16_t subtype_bit = (uint16_t)(1u << netman_frame_subtype(frame));
    if (type == 3 || !(filter->types & (1 << type))) {
        return false;
    }
    if (type == 0) {
        return (filter->mgmt_subtypes & subtype_bit) != 0;
    }
    if (type == 1) {
        return (filter->ctrl_subtypes & subtype_bit) != 0;
    }
    return true;
}
