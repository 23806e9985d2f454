"""netsim: the air simulator that the netman host firmware uses as its radio."""

from .air import Air
from .control import AirClient, ControlError
from .scenario import Scenario, ScenarioError, load

__all__ = ["Air", "AirClient", "ControlError", "Scenario", "ScenarioError", "load"]
