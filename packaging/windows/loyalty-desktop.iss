; Inno Setup 6 script: installs the one-folder bundle built by packaging/loyalty-desktop.spec.
;
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\loyalty-desktop.iss
;
; Input: dist\loyalty-desktop\ (LoyaltyDesktop.exe for the window, loyalty-desktop.exe for the
; command line and --self-test). Output: dist\LoyaltyDesktop-<version>-setup.exe.
; Shop data lives in %LOCALAPPDATA%\LoyaltyDesktop, never under {app}: an upgrade replaces the
; program only, and uninstalling leaves the data (and its backups) where they are.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Loyalty Desktop"
#define Bundle "..\..\dist\loyalty-desktop"

[Setup]
; The AppId ties upgrades to earlier installs: never change it.
AppId={{75FE3713-2EEB-4122-AEE3-4745E2A5C1E7}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Loyalty Desktop
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine by default; a shop PC without an administrator may install for one user.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist
OutputBaseFilename=LoyaltyDesktop-{#AppVersion}-setup
SetupIconFile=..\icons\loyalty-desktop.ico
UninstallDisplayIcon={app}\LoyaltyDesktop.exe
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running terminal is closed (Restart Manager) before its files are replaced.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "turkish"; MessagesFile: "compiler:Languages\Turkish.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
turkish.SelfTestFailed=Kurulum denetimi başarısız oldu. Ayrıntılar için komut isteminde şunu çalıştırın:%n"%1" --self-test
english.SelfTestFailed=The installation check failed. To see why, run in a command prompt:%n"%1" --self-test
turkish.OpenNow=Loyalty Desktop'ı şimdi aç
english.OpenNow=Open Loyalty Desktop now

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; The bundle's libraries are replaced as a whole, so nothing of an older version lingers.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Bundle}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\LoyaltyDesktop.exe"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\LoyaltyDesktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\LoyaltyDesktop.exe"; Description: "{cm:OpenNow}"; Flags: nowait postinstall skipifsilent

[Code]
{ After copying, the bundle checks itself (store, sale, receipt, card, barcodes). }
procedure CurStepChanged(CurStep: TSetupStep);
var
  ResultCode: Integer;
  ExePath: String;
begin
  if CurStep = ssPostInstall then
  begin
    ExePath := ExpandConstant('{app}\loyalty-desktop.exe');
    if not Exec(ExePath, '--self-test', '', SW_HIDE, ewWaitUntilTerminated, ResultCode)
       or (ResultCode <> 0) then
      SuppressibleMsgBox(FmtMessage(CustomMessage('SelfTestFailed'), [ExePath]),
                         mbError, MB_OK, IDOK);
  end;
end;
