"""Windows Task Scheduler XML for the kiosk PC: the app and Chrome in kiosk mode.

Two tasks, each started at logon of the kiosk's user and restarted by Task Scheduler when it
fails (every minute, up to 999 times), with no run-time limit and no stop on battery. Import
each with ``schtasks /create /tn "kiosk-ui\\app" /xml kiosk-ui-app.xml`` (see the README).
Pure string building: runs anywhere, so the XML can be made on another machine.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

TASK_NS = "http://schemas.microsoft.com/windows/2004/02/mit/task"

#: Chrome flags from the README: full screen, sound without a tap, no pinch zoom, no swipe
#: navigation, no translate bar, no error dialogs, and its own profile
CHROME_FLAGS = (
    "--kiosk",
    "--autoplay-policy=no-user-gesture-required",
    "--noerrdialogs",
    "--disable-pinch",
    "--overscroll-history-navigation=0",
    "--disable-features=Translate",
)


@dataclass(frozen=True)
class Setup:
    install_dir: str = r"C:\kiosk-ui"
    #: the kiosk-ui launcher in the venv; default ``<install_dir>\venv\Scripts\kiosk-ui.exe``
    exe: str = ""
    engine_url: str = "ws://127.0.0.1:8080/"
    port: int = 8081
    data_dir: str = ""
    config: str = ""
    chrome: str = r"C:\Program Files\Google\Chrome\Application\chrome.exe"
    #: the Windows account that logs on at the kiosk ("" = any user who logs on)
    user: str = ""

    @property
    def data_folder(self) -> str:
        return self.data_dir or rf"{self.install_dir}\data"

    @property
    def app_exe(self) -> str:
        return self.exe or rf"{self.install_dir}\venv\Scripts\kiosk-ui.exe"

    def app_args(self) -> list[str]:
        args = ["run", "--engine", self.engine_url, "--port", str(self.port),
                "--data-dir", self.data_folder]  # fmt: skip
        if self.config:
            args += ["--config", self.config]
        return args

    def chrome_args(self) -> list[str]:
        return [*CHROME_FLAGS, rf"--user-data-dir={self.install_dir}\chrome", f"http://127.0.0.1:{self.port}/"]


def task_xml(description: str, command: str, arguments: list[str], working_dir: str, user: str = "",
             delay: str = "") -> str:  # fmt: skip
    """One Task Scheduler task (schema 1.2): logon trigger, restart on failure, no time limit."""
    user_id = f"\n      <UserId>{escape(user)}</UserId>" if user else ""
    delay_el = f"\n      <Delay>{delay}</Delay>" if delay else ""
    principal_user = f"\n      <UserId>{escape(user)}</UserId>" if user else ""
    return f"""<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{TASK_NS}">
  <RegistrationInfo>
    <Author>kiosk-ui</Author>
    <Description>{escape(description)}</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>{user_id}{delay_el}
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">{principal_user}
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>5</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>999</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{escape(command)}</Command>
      <Arguments>{escape(subprocess.list2cmdline(arguments))}</Arguments>
      <WorkingDirectory>{escape(working_dir)}</WorkingDirectory>
    </Exec>
  </Actions>
</Task>
"""


def tasks(setup: Setup) -> dict[str, str]:
    """File name → task XML, for the app and for Chrome."""
    return {
        "kiosk-ui-app.xml": task_xml("kiosk-ui: customer screen and staff area (restarted on failure)",
                                     setup.app_exe, setup.app_args(), setup.install_dir, setup.user),
        "kiosk-ui-chrome.xml": task_xml("kiosk-ui: Chrome in kiosk mode on the customer screen",
                                        setup.chrome, setup.chrome_args(), setup.install_dir, setup.user,
                                        delay="PT10S"),
    }  # fmt: skip


def write(setup: Setup, out: Path) -> list[Path]:
    """Write the tasks as UTF-16 (with BOM), as Task Scheduler expects; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, xml in tasks(setup).items():
        path = out / name
        path.write_text(xml, encoding="utf-16", newline="\r\n")
        written.append(path)
    return written


def import_commands(paths: list[Path] | list[str]) -> list[str]:
    """The schtasks lines that import the written files (one a task)."""
    names = {"kiosk-ui-app.xml": r"kiosk-ui\app", "kiosk-ui-chrome.xml": r"kiosk-ui\chrome"}
    return [f'schtasks /create /tn "{names.get(Path(p).name, Path(p).stem)}" /xml "{p}" /f' for p in paths]


#: well-known SIDs (the same on a Spanish Windows, where the groups are named otherwise)
SYSTEM_SID, ADMINISTRATORS_SID = "*S-1-5-18", "*S-1-5-32-544"


def private_data_commands(setup: Setup) -> list[str]:
    """The lines that make the data folder (journal, storage-secret, lockout) readable by the kiosk's user only,
    as 0700 does on POSIX: no ACL inherited from the drive, full control for that user, SYSTEM and the
    Administrators (backups), nobody else."""
    user = setup.user or "%USERNAME%"
    folder = setup.data_folder
    return [
        f'if not exist "{folder}" mkdir "{folder}"',
        f'icacls "{folder}" /inheritance:r /grant:r "{user}:(OI)(CI)F" "{SYSTEM_SID}:(OI)(CI)F"'
        f' "{ADMINISTRATORS_SID}:(OI)(CI)F"',
    ]
