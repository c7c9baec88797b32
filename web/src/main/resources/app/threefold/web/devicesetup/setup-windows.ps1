# Threefold: back up this Windows computer to the NAS {{HOST}} every day, as device {{DEVICE}}.
# Made by the appliance on {{MADE}}. It holds the device's private key: keep it to yourself.
# Run it in PowerShell (Windows 10 or 11). Running it again changes nothing that is already right;
# how to undo it is printed at the end.

function Install-ThreefoldBackup {
    $ErrorActionPreference = 'Stop'
    $NasHost = {{HOST_Q}}
    $Port = {{PORT}}
    $Device = {{DEVICE_Q}}
    $At = {{AT_Q}}
    $AcPowerOnly = {{AC_ONLY}}
    $Dir = Join-Path $env:APPDATA 'Threefold'
    $TaskName = 'Threefold backup'

    # Writes a file only when its content differs: a second run changes nothing.
    function Write-IfChanged([string] $Path, [string] $Text) {
        $old = $null
        if (Test-Path -LiteralPath $Path) { $old = [IO.File]::ReadAllText($Path) }
        if ($old -cne $Text) {
            [IO.File]::WriteAllText($Path, $Text, (New-Object Text.UTF8Encoding $false))
            Write-Host "  wrote $Path"
        }
    }

    Write-Host "Setting up the daily backup of $Device to $NasHost (port $Port)."

    $found = Get-Command rclone -ErrorAction SilentlyContinue
    if (-not $found) {
        Write-Host 'The backup uses rclone, which is not installed.'
        $answer = Read-Host "Install it now with 'winget install Rclone.Rclone'? [y/N]"
        if ($answer -notmatch '^(y|yes)$') {
            Write-Host 'Nothing was changed. Install rclone (winget install Rclone.Rclone), then run this script again.'
            return
        }
        winget install --id Rclone.Rclone --exact --accept-source-agreements --accept-package-agreements
        # winget adds rclone to the PATH of new windows only.
        $env:Path = [Environment]::GetEnvironmentVariable('Path', 'Machine') + ';' + [Environment]::GetEnvironmentVariable('Path', 'User')
        $found = Get-Command rclone -ErrorAction SilentlyContinue
        if (-not $found) {
            Write-Host 'rclone is installed but this window does not see it yet: open a new PowerShell window and run this script again.'
            return
        }
    }
    $Rclone = $found.Source

    New-Item -ItemType Directory -Force -Path $Dir | Out-Null
    # The folder holds the device's private key: only this user may read it.
    icacls $Dir /inheritance:r /grant:r "$($env:USERNAME):(OI)(CI)F" | Out-Null

    $key = @'
{{PRIVATE_KEY}}
'@
    $knownHosts = @'
{{KNOWN_HOSTS}}
'@
    $filter = @'
{{FILTER}}
'@
    Write-IfChanged (Join-Path $Dir 'id_ed25519') ($key.Replace("`r", '') + "`n")
    Write-IfChanged (Join-Path $Dir 'known_hosts') ($knownHosts.Replace("`r", '') + "`n")
    Write-IfChanged (Join-Path $Dir 'filter.txt') ($filter.Replace("`r", '') + "`n")
    $conf = "[threefold]`ntype = sftp`nhost = $NasHost`nport = $Port`nuser = $Device`n" +
            "key_file = $Dir\id_ed25519`nknown_hosts_file = $Dir\known_hosts`n" +
            "shell_type = none`nmd5sum_command = none`nsha1sum_command = none`n"
    Write-IfChanged (Join-Path $Dir 'rclone.conf') $conf

    $arguments = "--config `"$Dir\rclone.conf`" sync `"$env:USERPROFILE`" threefold: --ignore-case --filter-from `"$Dir\filter.txt`" --log-file `"$Dir\backup.log`" --log-level INFO"
    $action = New-ScheduledTaskAction -Execute $Rclone -Argument $arguments
    $trigger = New-ScheduledTaskTrigger -Daily -At $At
    # StartWhenAvailable: a run missed while the computer was off or asleep starts as soon as it can.
    $settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Hours 12)
    $settings.DisallowStartIfOnBatteries = $AcPowerOnly
    $settings.StopIfGoingOnBatteries = $AcPowerOnly
    $settings.WakeToRun = $false
    Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger -Settings $settings `
        -Description "Threefold backup of this computer to $NasHost" -Force | Out-Null
    $power = if ($AcPowerOnly) { 'only on mains power' } else { 'on battery too' }
    Write-Host "  daily at $At by the Task Scheduler task '$TaskName' ($power; a missed run starts when the computer is back)"

    Write-Host 'First backup (later ones only send what changed):'
    & $Rclone --config "$Dir\rclone.conf" sync "$env:USERPROFILE" threefold: --ignore-case --filter-from "$Dir\filter.txt" --progress
    if ($LASTEXITCODE -ne 0) {
        Write-Host "The first backup did not finish (rclone exit code $LASTEXITCODE); the daily task will try again."
    }

    Write-Host ''
    Write-Host "Done: $Device backs up to $NasHost every day at $At. The NAS's panel shows each backup."
    Write-Host 'To undo everything this script set up, run:'
    Write-Host "  Unregister-ScheduledTask -TaskName '$TaskName' -Confirm:`$false"
    Write-Host "  Remove-Item -Recurse -Force '$Dir'"
    Write-Host 'Your files on this computer are not touched; the backups on the NAS stay until you delete them there.'
}

Install-ThreefoldBackup
