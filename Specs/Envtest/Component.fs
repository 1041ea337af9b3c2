/// One control-plane binary run as a child of the test process, its output in a log file. It runs under a
/// small watchdog shell, so it ends within a second of the test process even when that is killed outright
/// (a crashed or cancelled run leaves no etcd or kube-apiserver behind).
module Ztwim.Specs.Envtest.Component

open System
open System.Diagnostics
open System.IO

// $c is the binary; the loop ends when it dies or when the test process does; TERM stops it and waits.
let private watchdog =
    String.concat
        "\n"
        [ "exec >/dev/null 2>&1"
          "trap 'kill -TERM \"$c\" 2>/dev/null; wait \"$c\"; exit 0' TERM INT"
          "\"$@\" >\"$ZTWIM_LOG\" 2>&1 &"
          "c=$!"
          "while kill -0 \"$ZTWIM_PARENT\" 2>/dev/null && kill -0 \"$c\" 2>/dev/null; do sleep 1 & wait $!; done"
          "kill -TERM \"$c\" 2>/dev/null"
          "wait \"$c\"" ]

/// A running binary: its name, its log and how to stop it.
type Component(name: string, executable: string, args: string list, log: string) =
    let proc =
        let start = ProcessStartInfo "/bin/sh"
        start.UseShellExecute <- false
        start.RedirectStandardInput <- true
        start.ArgumentList.Add "-c"
        start.ArgumentList.Add watchdog
        start.ArgumentList.Add "sh"
        start.ArgumentList.Add executable

        for a in args do
            start.ArgumentList.Add a

        start.Environment.["ZTWIM_LOG"] <- log
        start.Environment.["ZTWIM_PARENT"] <- string Environment.ProcessId
        Process.Start start

    member _.Name = name
    member _.HasExited = proc.HasExited

    /// The last lines of its log, for a failure message.
    member _.Tail(lines: int) =
        try
            let all = File.ReadAllLines log
            all |> Array.skip (max 0 (all.Length - lines)) |> String.concat "\n"
        with _ ->
            ""

    /// Killed with its watchdog: a test cluster's data is thrown away with its folder, so there is nothing a
    /// graceful shutdown would save, and kube-apiserver's takes seconds.
    member _.Stop() =
        try
            if not proc.HasExited then
                proc.Kill true
                proc.WaitForExit 10000 |> ignore
        with _ ->
            ()

    interface IDisposable with
        member this.Dispose() =
            this.Stop()
            proc.Dispose()
