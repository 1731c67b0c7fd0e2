<#
.SYNOPSIS
Builds the Lanterna installer for 64-bit Windows: dist\Lanterna-<version>-windows-x64-setup.exe.

.DESCRIPTION
One command, from any folder, in Windows PowerShell 5.1 or PowerShell 7:

    powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1

It creates (or reuses) the virtualenv, installs Lanterna with its packaging tools, compiles
the translations, makes resources\icons\lanterna.ico from the SVG, freezes the app with
PyInstaller into dist\lanterna\ and wraps that folder into an installer with Inno Setup.

Needs on the build machine:
  - 64-bit Python 3.11 or later (python.org; found through the py launcher or PYTHON)
  - Visual Studio 2022 Build Tools with "Desktop development with C++": llama-cpp-python
    ships as source and is compiled during the install (12-35 minutes the first time)
  - Inno Setup 6.3 or later (https://jrsoftware.org/isdl.php)

Optional environment:
  PYTHON                  python.exe to create the virtualenv with
  VENV                    the virtualenv to create or reuse (default: .venv)
  WINDOWS_SIGN_CERT       a code-signing certificate (.pfx); together with
  WINDOWS_SIGN_PASSWORD   its password, the app, the installer and the uninstaller are signed
  WINDOWS_TIMESTAMP_URL   RFC 3161 timestamp server (default: http://timestamp.digicert.com)

This file is plain ASCII on purpose: Windows PowerShell 5.1 reads scripts without a byte
order mark in the ANSI code page.
#>
[CmdletBinding()]
param()

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

# The portable llama.cpp build of packaging/llama-cmake-args.sh (which the Linux scripts source;
# keep the two the same): AVX2-class CPUs, nothing newer. A native build would carry the build
# machine's AVX-512/AMX code to every user's PC, and crashes on CPUs with AMX.
$PortableCmakeArgs = '-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON ' +
    '-DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF'
$DefaultTimestampUrl = 'http://timestamp.digicert.com'

function Write-Step([string]$Message) {
    Write-Host "== $Message"
}

function Stop-Build([string]$Message) {
    throw $Message
}

# Native programs report failure through their exit code, not exceptions. Error output is left
# alone while they run: Windows PowerShell would otherwise turn pip's warnings into errors.
function Invoke-Native {
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$ArgumentList = @()
    )
    $ErrorActionPreference = 'Continue'
    & $FilePath @ArgumentList
    if ($LASTEXITCODE -ne 0) {
        # Only the program's name: the arguments may hold the signing password.
        Stop-Build ('{0} failed (exit code {1})' -f (Split-Path -Leaf $FilePath), $LASTEXITCODE)
    }
}

# Runs a native program for its exit code only (output and errors discarded).
function Get-ExitCode {
    param(
        [Parameter(Mandatory = $true)][string]$FilePath,
        [string[]]$ArgumentList = @()
    )
    $ErrorActionPreference = 'Continue'
    & $FilePath @ArgumentList 2>$null | Out-Null
    return $LASTEXITCODE
}

# True when the command (an exe, possibly with arguments such as "py -3.11") runs a 64-bit x86
# Python 3.11 or later. platform.machine() names the machine, not the interpreter: a 32-bit
# Python on 64-bit Windows says AMD64 too, hence the pointer-size check.
function Test-Python([string[]]$Command) {
    $ErrorActionPreference = 'Continue'
    $exe = $Command[0]
    $rest = @($Command | Select-Object -Skip 1)
    $check = "import platform, sys; sys.exit(not (sys.version_info >= (3, 11) and sys.maxsize > 2**32 and platform.machine() == 'AMD64'))"
    # A missing command would leave $LASTEXITCODE at the previous program's value.
    if (-not (Get-Command $exe -ErrorAction SilentlyContinue)) { return $false }
    try {
        & $exe @rest -c $check 2>$null | Out-Null
        return ($LASTEXITCODE -eq 0)
    } catch {
        return $false
    }
}

function Find-Python {
    if ($env:PYTHON) {
        if (Test-Python @($env:PYTHON)) { return , @($env:PYTHON) }
        Stop-Build "PYTHON=$($env:PYTHON) is not a 64-bit Python 3.11 or later"
    }
    # The py launcher knows every python.org installation; "python" may be the Store's stub.
    foreach ($candidate in @(@('py', '-3.11'), @('py', '-3.12'), @('py', '-3.13'), @('python'))) {
        if (Test-Python $candidate) { return , $candidate }
    }
    Stop-Build 'no 64-bit Python 3.11 or later found; install one from python.org or set PYTHON'
}

function Find-Iscc {
    $onPath = Get-Command 'ISCC.exe' -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Path }
    # Machine-wide installations, then Inno's per-user installation folder.
    $bases = @(${env:ProgramFiles(x86)}, $env:ProgramFiles, (Join-Path $env:LOCALAPPDATA 'Programs'))
    foreach ($base in $bases) {
        if (-not $base) { continue }
        $candidate = Join-Path $base 'Inno Setup 6\ISCC.exe'
        if (Test-Path -LiteralPath $candidate) { return $candidate }
    }
    Stop-Build ('Inno Setup 6 not found (ISCC.exe is neither on PATH nor in Program Files); ' +
        'install Inno Setup 6.3 or later from https://jrsoftware.org/isdl.php and run this again')
}

function Find-SignTool {
    $onPath = Get-Command 'signtool.exe' -ErrorAction SilentlyContinue
    if ($onPath) { return $onPath.Path }
    # The Windows SDK keeps one folder per version; the newest one wins.
    $kits = Join-Path ${env:ProgramFiles(x86)} 'Windows Kits\10\bin'
    $found = @(Get-ChildItem -Path $kits -Filter 'signtool.exe' -Recurse -ErrorAction SilentlyContinue |
        Where-Object { $_.Directory.Name -eq 'x64' } |
        Sort-Object -Property FullName -Descending)
    if ($found.Count -gt 0) { return $found[0].FullName }
    Stop-Build 'signtool.exe not found; install the Windows SDK (its "Signing Tools" part)'
}

# Visual Studio's C++ tools, found the way CMake finds them. Only a warning: when pip has a
# built llama-cpp-python wheel in its cache, nothing is compiled.
function Test-CppBuildTools {
    $vswhere = Join-Path ${env:ProgramFiles(x86)} 'Microsoft Visual Studio\Installer\vswhere.exe'
    if (-not (Test-Path -LiteralPath $vswhere)) { return $false }
    $path = & $vswhere -latest -products '*' -requires 'Microsoft.VisualStudio.Component.VC.Tools.x86.x64' -property installationPath
    return [bool]$path
}

function Invoke-Build {
    # ---- the machine -------------------------------------------------------------------------
    # A 32-bit PowerShell on 64-bit Windows reports x86 here and the real one in ARCHITEW6432.
    $arch = if ($env:PROCESSOR_ARCHITEW6432) { $env:PROCESSOR_ARCHITEW6432 } else { $env:PROCESSOR_ARCHITECTURE }
    if ($arch -ne 'AMD64') {
        Stop-Build "the Windows build makes x64 binaries and runs on x64 Windows (this machine: $arch)"
    }

    # Everything that can be missing is looked for before the long part of the build.
    $iscc = Find-Iscc
    $signCert = $env:WINDOWS_SIGN_CERT
    $signPassword = $env:WINDOWS_SIGN_PASSWORD
    $signing = [bool]($signCert -and $signPassword)
    $signtool = $null
    $timestampUrl = if ($env:WINDOWS_TIMESTAMP_URL) { $env:WINDOWS_TIMESTAMP_URL } else { $DefaultTimestampUrl }
    if ($signing) {
        if (-not (Test-Path -LiteralPath $signCert)) {
            Stop-Build "WINDOWS_SIGN_CERT points at $($signCert), which does not exist"
        }
        $signCert = (Resolve-Path -LiteralPath $signCert).Path
        $signtool = Find-SignTool
    }

    # ---- Python and dependencies -------------------------------------------------------------
    $venv = if ($env:VENV) { $env:VENV } else { '.venv' }
    # Absolute, so that commands and messages name the same file whatever the current folder.
    $venv = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($venv)
    $py = Join-Path $venv 'Scripts\python.exe'
    if (-not (Test-Path -LiteralPath $py)) {
        $base = Find-Python
        Write-Step "creating $venv with $($base -join ' ')"
        $baseExe = $base[0]
        $baseArgs = @($base | Select-Object -Skip 1)
        Invoke-Native $baseExe ($baseArgs + @('-m', 'venv', $venv))
    }
    if (-not (Test-Python @($py))) {
        Stop-Build "$venv was made with an unsuitable Python (needs 64-bit, 3.11+); remove it and run again"
    }

    $llamaInstalled = Test-Path -Path (Join-Path $venv 'Lib\site-packages\llama_cpp')
    if (-not $llamaInstalled -and -not (Test-CppBuildTools)) {
        Write-Warning ('no Visual Studio C++ build tools found; if pip has to compile ' +
            'llama-cpp-python it will fail. Install Visual Studio 2022 Build Tools with ' +
            '"Desktop development with C++".')
    }

    Write-Step 'installing Lanterna with the packaging tools (the first llama-cpp-python build takes 12-35 minutes)'
    $env:CMAKE_ARGS = $PortableCmakeArgs
    if (-not $env:CMAKE_BUILD_PARALLEL_LEVEL) { $env:CMAKE_BUILD_PARALLEL_LEVEL = $env:NUMBER_OF_PROCESSORS }
    Invoke-Native $py @('-m', 'pip', 'install', '-q', '--upgrade', 'pip', 'wheel', 'setuptools')
    Invoke-Native $py @('-m', 'pip', 'install', '-q', '-e', '.[package]')

    # pip's wheel cache ignores CMAKE_ARGS: a native wheel built earlier on this machine would be
    # reused silently. Its system info tells, as in packaging/bootstrap.sh (exit code 3: native).
    $nativeCheck = "import sys, llama_cpp; info = llama_cpp.llama_print_system_info().decode(); " +
        "sys.exit(3 if any(flag + ' = 1' in info for flag in ('AMX_INT8', 'AVX512')) else 0)"
    $native = Get-ExitCode $py @('-c', $nativeCheck)
    if ($native -eq 3) {
        Write-Step 'the cached llama-cpp-python wheel is a native build; rebuilding it portable'
        Get-ExitCode $py @('-m', 'pip', 'cache', 'remove', 'llama_cpp_python') | Out-Null
        Invoke-Native $py @('-m', 'pip', 'install', '-q', '--force-reinstall', '--no-deps', 'llama-cpp-python==0.3.36')
    } elseif ($native -ne 0) {
        Stop-Build "llama_cpp does not import in $venv; run: $py -c `"import llama_cpp`" to see why"
    }
    if ((Get-ExitCode $py @('-c', 'import PyInstaller')) -ne 0) {
        Stop-Build 'PyInstaller is not installed; the "package" extra in pyproject.toml should provide it'
    }

    $version = & $py -c "import tomllib; print(tomllib.load(open('pyproject.toml', 'rb'))['project']['version'])"
    if ($LASTEXITCODE -ne 0 -or -not $version) { Stop-Build 'cannot read the version from pyproject.toml' }
    $version = "$version".Trim()
    Write-Step "building Lanterna $version"

    # The .qm files are built from the .ts sources and are not in the repository.
    Write-Step 'compiling translations'
    Invoke-Native $py @('-m', 'desktop.i18n', 'compile')

    # ---- the icon ----------------------------------------------------------------------------
    # The spec gives lanterna.exe this icon, and lanterna.iss the installer.
    Write-Step 'making resources\icons\lanterna.ico'
    Invoke-Native $py @('packaging\windows\make_ico.py', 'resources\icons\lanterna.svg', '-o', 'resources\icons\lanterna.ico')

    # ---- the frozen app ----------------------------------------------------------------------
    Write-Step 'freezing with PyInstaller'
    if (-not (Test-Path -LiteralPath 'packaging\lanterna.spec')) { Stop-Build 'packaging\lanterna.spec is missing' }
    Invoke-Native $py @('-m', 'PyInstaller', '--noconfirm', '--clean', '--distpath', 'dist',
        '--workpath', 'build\windows\pyinstaller', 'packaging\lanterna.spec')
    $frozen = 'dist\lanterna'
    if (-not (Test-Path -LiteralPath (Join-Path $frozen 'lanterna.exe'))) {
        Stop-Build "PyInstaller did not produce $frozen\lanterna.exe (lanterna.iss packs that folder)"
    }

    if ($signing) {
        # The executables are what Windows checks when the app starts (SmartScreen, Defender).
        Write-Step 'signing the executables'
        $signArgs = @('sign', '/fd', 'sha256', '/tr', $timestampUrl, '/td', 'sha256', '/f', $signCert, '/p', $signPassword)
        foreach ($exe in @(Get-ChildItem -LiteralPath $frozen -Filter '*.exe')) {
            Invoke-Native $signtool ($signArgs + @($exe.FullName))
        }
    } else {
        Write-Host 'skipping signing: WINDOWS_SIGN_CERT and WINDOWS_SIGN_PASSWORD not set (Windows will warn about an unknown publisher)'
    }

    # ---- the installer -----------------------------------------------------------------------
    Write-Step 'compiling the installer with Inno Setup'
    $isccArgs = @('/Qp', "/DAppVersion=$version")
    if ($signing) {
        # Inno signs the installer and the uninstaller it writes with the sign tool "lanterna".
        # In its command, $q stands for a double quote and $f for the quoted file to sign.
        $signCommand = '$q' + $signtool + '$q sign /fd sha256 /tr ' + $timestampUrl +
            ' /td sha256 /f $q' + $signCert + '$q /p $q' + $signPassword + '$q $f'
        $isccArgs += @('/DUseSignTool', "/Slanterna=$signCommand")
    }
    $isccArgs += 'packaging\windows\lanterna.iss'
    Invoke-Native $iscc $isccArgs

    $setup = "dist\Lanterna-$version-windows-x64-setup.exe"
    if (-not (Test-Path -LiteralPath $setup)) { Stop-Build "Inno Setup did not produce $setup" }
    if ($signing) {
        Invoke-Native $signtool @('verify', '/pa', $setup)
    }
    Write-Host "built $setup"
}

# The build runs from the repository's root; the caller's current folder is restored afterwards.
$failed = $false
$pushed = $false
try {
    if ([Environment]::OSVersion.Platform -ne [PlatformID]::Win32NT) {
        Stop-Build 'this script builds the Windows installer and runs on Windows only'
    }
    $root = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '..\..')).Path
    Push-Location -LiteralPath $root
    $pushed = $true
    Invoke-Build
} catch {
    Write-Host "error: $($_.Exception.Message)" -ForegroundColor Red
    $failed = $true
} finally {
    if ($pushed) { Pop-Location }
}
if ($failed) { exit 1 }
