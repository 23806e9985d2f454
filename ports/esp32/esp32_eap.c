/*
 * WPA2-Enterprise through ESP-IDF's EAP client (esp_eap_client.h, IDF
 * 5.3-5.5): the identity, the username and password (PEAP, TTLS with
 * MSCHAPv2) or the client certificate and key (TLS), the CA to check the
 * server with, then esp_wifi_sta_enterprise_enable(). The client copies the
 * identities and password but keeps only pointers to the certificates and
 * the key (esp_eap_client.c, esp_eap_client_set_ca_cert /
 * _set_certificate_and_key): they point into the core's credential block,
 * which lives until netman_hal_close() clears them here.
 */
#include "sdkconfig.h"

#include "esp32_port.h"
#include "esp32_radio_rules.h"

#if CONFIG_ESP_WIFI_ENTERPRISE_SUPPORT

#include "esp_eap_client.h"
#include "esp_wifi.h"

static void forget(void) {
    esp_wifi_sta_enterprise_disable(); // ESP_ERR_INVALID_STATE when it was not on: nothing to undo
    esp_eap_client_clear_identity();
    esp_eap_client_clear_username();
    esp_eap_client_clear_password();
    esp_eap_client_clear_ca_cert();
    esp_eap_client_clear_certificate_and_key();
}

static esp_err_t give(const netman_eap_t *eap) {
    esp_err_t err = esp_eap_client_set_identity(eap->identity.data, eap->identity.len);
    if (err == ESP_OK && eap->method == NETMAN_EAP_TLS) {
        err = esp_eap_client_set_certificate_and_key(eap->client_cert.data,
            esp32_rules_cert_len(eap->client_cert.data, eap->client_cert.len), eap->client_key.data,
            esp32_rules_cert_len(eap->client_key.data, eap->client_key.len), eap->key_password.data,
            eap->key_password.len);
    } else if (err == ESP_OK) {
        err = esp_eap_client_set_username(eap->username.data, eap->username.len);
        if (err == ESP_OK) {
            err = esp_eap_client_set_password(eap->password.data, eap->password.len);
        }
        if (err == ESP_OK && eap->method == NETMAN_EAP_TTLS) {
            err = esp_eap_client_set_ttls_phase2_method(ESP_EAP_TTLS_PHASE2_MSCHAPV2);
        }
    }
    if (err == ESP_OK && eap->ca_cert.len != 0) {
        err = esp_eap_client_set_ca_cert(eap->ca_cert.data, esp32_rules_cert_len(eap->ca_cert.data, eap->ca_cert.len));
    }
    if (err == ESP_OK) {
        err = esp_wifi_sta_enterprise_enable();
    }
    return err;
}

netman_err_t esp32_eap_apply(const netman_eap_t *eap) {
    // Whatever an earlier join left (another method's credentials) goes first.
    forget();
    if (eap == NULL) {
        return NETMAN_OK;
    }
    esp_err_t err = give(eap);
    if (err != ESP_OK) {
        forget();
        return esp32_fail(esp32_rules_refusal(err), "station: the driver refused the WPA2-Enterprise credentials", err);
    }
    return NETMAN_OK;
}

#else

netman_err_t esp32_eap_apply(const netman_eap_t *eap) {
    if (eap == NULL) {
        return NETMAN_OK;
    }
    esp32_set_error("station: WPA2-Enterprise: this firmware is built without CONFIG_ESP_WIFI_ENTERPRISE_SUPPORT");
    return NETMAN_ERR_UNSUPPORTED;
}

#endif
