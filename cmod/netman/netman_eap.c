/*
 * WPA2-Enterprise credentials in the core: one block on the GC heap (the
 * netman_eap_t, then each field's bytes and a NUL), kept by a root pointer so
 * that a driver may hold pointers into it; wiped before it is dropped, since
 * it holds the password and the private key. Replaced credentials stay (as
 * the retired block) until the next join request has given the driver the
 * new ones, so a driver never holds a pointer into freed memory.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_core.h"

MP_REGISTER_ROOT_POINTER(void *netman_eap_block);
MP_REGISTER_ROOT_POINTER(void *netman_eap_retired);
static size_t block_size;
static size_t retired_size;

static void wipe(void *data, size_t len) {
    volatile uint8_t *p = data;
    while (len--) {
        *p++ = 0;
    }
}

static void drop_retired(void) {
    void *block = MP_STATE_VM(netman_eap_retired);
    if (block != NULL) {
        wipe(block, retired_size);
        MP_STATE_VM(netman_eap_retired) = NULL;
        m_del(uint8_t, block, retired_size);
    }
    retired_size = 0;
}

static void retire_block(void) {
    drop_retired();
    MP_STATE_VM(netman_eap_retired) = MP_STATE_VM(netman_eap_block);
    retired_size = block_size;
    MP_STATE_VM(netman_eap_block) = NULL;
    block_size = 0;
}

static uint8_t *copy_field(netman_eap_field_t *to, const netman_eap_field_t *from, uint8_t *at) {
    to->len = from->len;
    to->data = from->len ? at : NULL;
    if (from->len) {
        memcpy(at, from->data, from->len);
        at[from->len] = 0;
        at += from->len + 1;
    }
    return at;
}

const netman_eap_t *netman_eap_store(const netman_eap_t *given) {
    retire_block();
    if (given == NULL || given->method == 0) {
        return NULL;
    }
    const netman_eap_field_t *fields[] = {
        &given->identity, &given->username, &given->password, &given->ca_cert, &given->client_cert,
        &given->client_key, &given->key_password,
    };
    size_t size = sizeof(netman_eap_t);
    for (size_t i = 0; i < MP_ARRAY_SIZE(fields); i++) {
        size += fields[i]->len + 1;
    }
    uint8_t *block = m_new(uint8_t, size);
    netman_eap_t *eap = (netman_eap_t *)block;
    uint8_t *at = block + sizeof(netman_eap_t);
    eap->method = given->method;
    at = copy_field(&eap->identity, &given->identity, at);
    at = copy_field(&eap->username, &given->username, at);
    at = copy_field(&eap->password, &given->password, at);
    at = copy_field(&eap->ca_cert, &given->ca_cert, at);
    at = copy_field(&eap->client_cert, &given->client_cert, at);
    at = copy_field(&eap->client_key, &given->client_key, at);
    copy_field(&eap->key_password, &given->key_password, at);
    MP_STATE_VM(netman_eap_block) = block;
    block_size = size;
    return eap;
}

void netman_eap_joined(void) {
    drop_retired();
}

void netman_eap_reset(void) {
    retire_block();
    drop_retired();
}
