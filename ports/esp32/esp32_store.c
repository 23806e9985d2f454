/*
 * The credential store: one blob, key "cred" in NVS namespace "netman". NVS
 * writes an entry atomically (the old value stays valid until the new one is
 * complete), so a crash leaves the old blob or the new one.
 */
#include "nvs.h"
#include "nvs_flash.h"

#include "esp32_port.h"

#define NAMESPACE "netman"
#define KEY "cred"

const char *netman_hal_store_location(void) {
    return "NVS namespace " NAMESPACE;
}

static esp_err_t open_store(nvs_open_mode_t mode, nvs_handle_t *handle) {
    esp_err_t err = nvs_open(NAMESPACE, mode, handle);
    if (err == ESP_ERR_NVS_NOT_INITIALIZED) {
        // MicroPython's startup normally did this already. No erase on
        // failure here: the partition holds more than our blob.
        err = nvs_flash_init();
        if (err == ESP_OK) {
            err = nvs_open(NAMESPACE, mode, handle);
        }
    }
    return err;
}

netman_err_t netman_hal_store_write(const uint8_t *data, size_t len) {
    nvs_handle_t handle;
    esp_err_t err = open_store(NVS_READWRITE, &handle);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "credential store (NVS namespace " NAMESPACE "): cannot open", err);
    }
    err = nvs_set_blob(handle, KEY, data, len);
    if (err == ESP_OK) {
        err = nvs_commit(handle);
    }
    nvs_close(handle);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "credential store (NVS namespace " NAMESPACE "): cannot write", err);
    }
    return NETMAN_OK;
}

netman_err_t netman_hal_store_read(uint8_t *buf, size_t max, size_t *len) {
    nvs_handle_t handle;
    esp_err_t err = open_store(NVS_READONLY, &handle);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        return NETMAN_ERR_STATE; // the namespace was never written
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "credential store (NVS namespace " NAMESPACE "): cannot open", err);
    }
    size_t size = max;
    err = nvs_get_blob(handle, KEY, buf, &size);
    nvs_close(handle);
    if (err == ESP_ERR_NVS_NOT_FOUND) {
        return NETMAN_ERR_STATE;
    }
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "credential store (NVS namespace " NAMESPACE "): cannot read", err);
    }
    *len = size;
    return NETMAN_OK;
}

netman_err_t netman_hal_store_erase(void) {
    nvs_handle_t handle;
    esp_err_t err = open_store(NVS_READWRITE, &handle);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "credential store (NVS namespace " NAMESPACE "): cannot open", err);
    }
    err = nvs_erase_key(handle, KEY);
    if (err == ESP_OK) {
        err = nvs_commit(handle);
    } else if (err == ESP_ERR_NVS_NOT_FOUND) {
        err = ESP_OK; // nothing stored: nothing to erase
    }
    nvs_close(handle);
    if (err != ESP_OK) {
        return esp32_fail(NETMAN_ERR_IO, "credential store (NVS namespace " NAMESPACE "): cannot erase", err);
    }
    return NETMAN_OK;
}
