/*
 * Country codes and their 2.4 GHz channels, from the regulatory table ESP-IDF
 * v5.5.1 ships for its 2.4 GHz-only chips
 * (components/esp_wifi/regulatory/esp_wifi_regulatory.c, regdomain_table and
 * regulatory_data): the ISED and default ("01") domains allow channels 1-11,
 * MIC (Japan) 1-14 (14 for 802.11b at 20 MHz only), every other domain 1-13.
 * "XX", the CYW43's worldwide code (cyw43_country.h), is taken as ESP-IDF's
 * world safe mode: 1-11. (PK, which that table lists with no 2.4 GHz rule at
 * all, is taken as 1-13 like its neighbours.)
 */
#include <stdbool.h>
#include <string.h>

#include "netman_country.h"

// Every code of that table, two characters each.
static const char known[] =
    "01EUADAEAFAIALAMANARASATAUAWAZBABBBDBEBFBGBHBLBMBNBOBRBSBTBYBZCACFCHCICLCNCOCRCUCXCYCZDEDKDMDODZ"
    "ECEEEGESETFIFMFRGBGDGEGFGHGLGPGRGTGUGYHKHNHRHTHUIDIEILINIRISITJMJOJPKEKHKNKPKRKWKYKZLBLCLILKLSLT"
    "LULVMAMCMDMEMFMHMKMNMOMPMQMRMTMUMVMWMXMYNANGNINLNONPNZOMPAPEPFPGPHPKPLPMPRPTPWPYQARERORSRURWSASE"
    "SGSISKSNSRSVSYTCTDTGTHTNTRTTTWTZUAUGUSUYUZVCVEVIVNVUWFWSYEYTZAZW";

static const char eleven[] = "01ASBMCADMDOFMGDGUHTMHMPNIPRPWUSVIXX";

static bool listed(const char *table, const char *code) {
    for (size_t i = 0; table[i] != '\0'; i += 2) {
        if (table[i] == code[0] && table[i + 1] == code[1]) {
            return true;
        }
    }
    return false;
}

uint8_t netman_country_channels(const char *code) {
    if (code == NULL || strlen(code) != 2) {
        return 0;
    }
    if (listed(eleven, code)) {
        return 11;
    }
    if (!listed(known, code)) {
        return 0;
    }
    return code[0] == 'J' && code[1] == 'P' ? 14 : 13;
}
