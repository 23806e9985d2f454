/*
 * _netman's mDNS bindings: the hostname and services to advertise, and the
 * name in use.
 */
#include <string.h>

#include "py/runtime.h"

#include "netman_obj.h"

static void copy_name(char *dest, mp_obj_t value, size_t max, const char *what) {
    memset(dest, 0, max + 1);
    netman_copy_text((uint8_t *)dest, value, max, what);
}

// mdns_config(hostname, ttl, services): services is a list of
// (service, proto, port, instance); hostname None turns mDNS off. The
// facade has validated every value.
static mp_obj_t mod_netman_mdns_config(mp_obj_t hostname, mp_obj_t ttl, mp_obj_t services_in) {
    netman_require_open();
    if (hostname == mp_const_none) {
        netman_mdns_configure(NULL);
        return mp_const_none;
    }
    // Too big for a small stack: built on the heap, copied by the core.
    netman_mdns_config_t *config = m_new0(netman_mdns_config_t, 1);
    copy_name(config->hostname, hostname, NETMAN_MDNS_NAME_MAX, "mdns hostname");
    config->ttl = mp_obj_get_int(ttl);
    size_t count;
    mp_obj_t *services;
    mp_obj_get_array(services_in, &count, &services);
    if (count > NETMAN_MDNS_MAX_SERVICES) {
        mp_raise_ValueError(MP_ERROR_TEXT("mdns: too many services"));
    }
    for (size_t i = 0; i < count; i++) {
        mp_obj_t *fields;
        mp_obj_get_array_fixed_n(services[i], 4, &fields);
        netman_mdns_service_t *s = &config->services[i];
        copy_name(s->service, fields[0], NETMAN_MDNS_NAME_MAX, "mdns service");
        copy_name(s->proto, fields[1], 4, "mdns proto");
        s->port = mp_obj_get_int(fields[2]);
        copy_name(s->instance, fields[3], NETMAN_MDNS_NAME_MAX, "mdns instance");
    }
    config->service_count = count;
    netman_mdns_configure(config);
    m_del(netman_mdns_config_t, config, 1);
    return mp_const_none;
}
MP_DEFINE_CONST_FUN_OBJ_3(mod_netman_mdns_config_obj, mod_netman_mdns_config);

// mdns_status() -> {running, hostname (as in use), conflict, address}
static mp_obj_t mod_netman_mdns_status(void) {
    char hostname[NETMAN_MDNS_NAME_MAX + 1];
    uint16_t suffix;
    uint32_t address;
    bool running = netman_mdns_get(hostname, &suffix, &address);
    vstr_t name;
    vstr_init(&name, NETMAN_MDNS_NAME_MAX + 8);
    vstr_add_str(&name, hostname);
    if (suffix >= 2) {
        vstr_printf(&name, "-%u", (unsigned)suffix);
    }
    mp_obj_t dict = mp_obj_new_dict(4);
    netman_store(dict, MP_QSTR_running, mp_obj_new_bool(running));
    netman_store(dict, MP_QSTR_hostname, mp_obj_new_str_from_vstr(&name));
    netman_store(dict, MP_QSTR_conflict, mp_obj_new_bool(suffix >= 2));
    netman_store(dict, MP_QSTR_address, running ? netman_ip_str(address) : mp_const_none);
    return dict;
}
MP_DEFINE_CONST_FUN_OBJ_0(mod_netman_mdns_status_obj, mod_netman_mdns_status);
