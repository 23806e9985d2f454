# Frozen into the host firmware: asyncio and the netman facade.
include("$(MPY_DIR)/extmod/asyncio")
package("netman", base_path="../../python")
