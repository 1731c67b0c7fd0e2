; Inno Setup 6 script for Lanterna on 64-bit Windows (Inno Setup 6.3 or later: it uses the
; x64compatible architecture identifier).
;
; packaging\windows\build.ps1 freezes the app with PyInstaller into dist\lanterna\, makes
; resources\icons\lanterna.ico and compiles this script:
;
;     ISCC.exe /DAppVersion=0.1.0 packaging\windows\lanterna.iss
;
; Result: dist\Lanterna-<version>-windows-x64-setup.exe. The file is UTF-8 with a byte order
; mark, so that the compiler reads the Portuguese and Spanish messages below as UTF-8.

#ifndef AppVersion
  #error Pass the version: ISCC.exe /DAppVersion=0.1.0 packaging\windows\lanterna.iss
#endif

; Relative to this script's folder, packaging\windows\.
#define RepoRoot AddBackslash(SourcePath) + "..\.."
; The folder PyInstaller's COLLECT step writes under dist\ (its name= in packaging\lanterna.spec).
#define FrozenName "lanterna"
#define ExeName "lanterna.exe"

[Setup]
; The AppId identifies the installation for upgrades and uninstallation: never change it.
; (The first brace is doubled because Inno reads a single one as the start of a constant.)
AppId={{5D553935-3580-436B-8F59-38ACF91FB3D5}
AppName=Lanterna
AppVersion={#AppVersion}
AppVerName=Lanterna {#AppVersion}
AppPublisher=Lanterna
; Per-user by default: no administrator rights needed, installed under
; %LOCALAPPDATA%\Programs. The first page offers "install for all users" (Program Files, needs
; elevation), and so does /ALLUSERS on the command line for silent deployments; {autopf},
; {autoprograms} and HKA below follow whichever is chosen.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
DefaultDirName={autopf}\Lanterna
DefaultGroupName=Lanterna
DisableProgramGroupPage=yes
; The frozen app is 64-bit x86 code (llama.cpp built for AVX2); Windows on Arm runs it
; emulated, which x64compatible admits.
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Python 3.11 and Qt 6 need Windows 10.
MinVersion=10.0
; Tells Explorer to reload file associations after the .gguf entries change.
ChangesAssociations=yes
SetupIconFile={#RepoRoot}\resources\icons\lanterna.ico
UninstallDisplayIcon={app}\{#ExeName}
UninstallDisplayName=Lanterna
WizardStyle=modern
; The app is several hundred megabytes of libraries: solid LZMA2 in a separate process keeps
; the compiler's memory in check and the download small.
Compression=lzma2
SolidCompression=yes
LZMAUseSeparateProcess=yes
OutputDir={#RepoRoot}\dist
OutputBaseFilename=Lanterna-{#AppVersion}-windows-x64-setup
#ifdef UseSignTool
; build.ps1 defines UseSignTool and the sign tool "lanterna" (/Slanterna=...) when a code-signing
; certificate is configured; Inno then signs both the installer and the uninstaller.
SignTool=lanterna
SignedUninstaller=yes
#endif

[Languages]
; Installer languages: the app's own (English, Brazilian Portuguese, Spanish), all shipped
; with Inno Setup. Setup picks the one matching Windows' display language.
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "brazilianportuguese"; MessagesFile: "compiler:Languages\BrazilianPortuguese.isl"
Name: "spanish"; MessagesFile: "compiler:Languages\Spanish.isl"

[CustomMessages]
english.GgufFileType=GGUF model
brazilianportuguese.GgufFileType=Modelo GGUF
spanish.GgufFileType=Modelo GGUF
english.OpenWithLanterna=Open with Lanterna
brazilianportuguese.OpenWithLanterna=Abrir com o Lanterna
spanish.OpenWithLanterna=Abrir con Lanterna
english.DeleteUserData=Also delete your chats, settings and downloaded models?%n%nThey are in %1. Models in a folder you chose yourself elsewhere are not touched.%n%nChoose No to keep them, for example for a later installation.
brazilianportuguese.DeleteUserData=Excluir também suas conversas, configurações e modelos baixados?%n%nEles estão em %1. Modelos em uma pasta que você escolheu em outro lugar não são tocados.%n%nEscolha Não para mantê-los, por exemplo para uma instalação futura.
spanish.DeleteUserData=¿Eliminar también tus conversaciones, configuración y modelos descargados?%n%nEstán en %1. Los modelos de una carpeta que elegiste en otro lugar no se tocan.%n%nElige No para conservarlos, por ejemplo para una instalación futura.
english.DeleteUserDataFailed=Some files in %1 could not be deleted. Delete the folder yourself once Lanterna is closed.
brazilianportuguese.DeleteUserDataFailed=Alguns arquivos em %1 não puderam ser excluídos. Exclua a pasta você mesmo depois de fechar o Lanterna.
spanish.DeleteUserDataFailed=Algunos archivos de %1 no se pudieron eliminar. Elimina la carpeta tú mismo después de cerrar Lanterna.

[Tasks]
; AssocFileExtension, CreateDesktopIcon, AdditionalIcons and LaunchProgram are Inno's own
; translated messages.
Name: "associate"; Description: "{cm:AssocFileExtension,Lanterna,.gguf}"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the frozen libraries wholesale: a library or Qt plug-in left over from an
; older version would be loaded next to the new ones. (_internal is where PyInstaller 6 puts
; everything but the executables.) User data lives elsewhere and is not touched.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#RepoRoot}\dist\{#FrozenName}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Lanterna"; Filename: "{app}\{#ExeName}"
Name: "{autodesktop}\Lanterna"; Filename: "{app}\{#ExeName}"; Tasks: desktopicon

[Registry]
; .gguf files. HKA is HKCU\Software\Classes for a per-user install and HKLM for an all-users
; one. The ProgID and the "Open with" entries only offer Lanterna for .gguf files; the
; "associate" task also makes it the default program (unless the user already chose another).
Root: HKA; Subkey: "Software\Classes\Lanterna.gguf"; ValueType: string; ValueName: ""; ValueData: "{cm:GgufFileType}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Lanterna.gguf\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#ExeName},0"
Root: HKA; Subkey: "Software\Classes\Lanterna.gguf\shell\open"; ValueType: string; ValueName: ""; ValueData: "{cm:OpenWithLanterna}"
; The app loads a model given with --model (a bare path on the command line is not read).
Root: HKA; Subkey: "Software\Classes\Lanterna.gguf\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#ExeName}"" --model ""%1"""
Root: HKA; Subkey: "Software\Classes\.gguf\OpenWithProgids"; ValueType: string; ValueName: "Lanterna.gguf"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\.gguf"; ValueType: string; ValueName: ""; ValueData: "Lanterna.gguf"; Flags: uninsdeletevalue; Tasks: associate
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#ExeName}\SupportedTypes"; ValueType: string; ValueName: ".gguf"; ValueData: ""

[Run]
Filename: "{app}\{#ExeName}"; Description: "{cm:LaunchProgram,Lanterna}"; Flags: nowait postinstall skipifsilent

[Code]
{ Lanterna's chats, settings, downloaded models, cache and logs all live under one folder:
  engine/paths.py asks platformdirs for app "Lanterna" without an author folder, which on
  Windows is %LOCALAPPDATA%\Lanterna (data and settings; Cache\ and Logs\ inside it). The
  uninstaller keeps it unless the user says otherwise, so that reinstalling finds everything.
  It is the folder of the user running the uninstaller; an all-users installation removed by
  an administrator account asks about that account's data only. }
function UserDataDir: String;
begin
  Result := ExpandConstant('{localappdata}\Lanterna');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  { Asked after the program files are gone, when nothing of Lanterna can hold a file open. }
  if CurUninstallStep <> usPostUninstall then
    Exit;
  DataDir := UserDataDir();
  if not DirExists(DataDir) then
    Exit;
  { Keeping the data is the default: a silent uninstall (scripts, software deployment tools)
    never deletes it, and in the question "No" is the default button. }
  if UninstallSilent() then
    Exit;
  if MsgBox(FmtMessage(CustomMessage('DeleteUserData'), [DataDir]),
            mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
  begin
    if not DelTree(DataDir, True, True, True) then
      MsgBox(FmtMessage(CustomMessage('DeleteUserDataFailed'), [DataDir]), mbError, MB_OK);
  end;
end;
