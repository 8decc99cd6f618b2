"""epython: offload Python kernels to the cores of an Adapteva Epiphany.

    from epython import offload

    @offload
    def helloworld(a, b):
        print("Hello World")
        return a + b

    print(helloworld(10, 20))     # [30, 30, ..., 30]: one value per core

The device is ``EPYTHON_DEVICE`` (a device node, a simulator file, or
``sim``), else /dev/epiphany/mesh0 or /dev/epiphany, else a simulated E16 in
this process. It opens on first use and closes at interpreter exit.
"""

from ._offload import (
    CancelledError,
    DeviceError,
    Handle,
    Offloaded,
    offload,
    offload_multiple,
    offload_single,
    waitAll,
)
from ._data import copy_from_device, copy_to_device, define_on_device
from ._runtime import close, runtime

__all__ = [
    "offload", "offload_single", "offload_multiple", "waitAll",
    "define_on_device", "copy_to_device", "copy_from_device",
    "Handle", "Offloaded", "DeviceError", "CancelledError",
    "close", "device_info",
]

__version__ = "0.1.0"


def device_info():
    """The open device: ``{"device": path, "backend": ..., "cores": N}``."""
    rt = runtime()
    return {"device": rt.device, "backend": rt.backend, "cores": rt.num_cores}
