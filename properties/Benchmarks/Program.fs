module Ztwim.Benchmarks.Program

open BenchmarkDotNet.Running

[<EntryPoint>]
let main argv =
    BenchmarkSwitcher.FromAssembly(typeof<RenderBenchmarks.RenderBenchmarks>.Assembly).Run(argv)
    |> ignore

    0
