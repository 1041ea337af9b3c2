/// How long rendering every operand takes for the manual's CRs, and what it allocates.
module Ztwim.Benchmarks.RenderBenchmarks

open System.IO
open BenchmarkDotNet.Attributes
open Ztwim.Kernel.Api
open Ztwim.Kernel.Render
open Ztwim.Kernel.Operands
open Ztwim.Adapters.Files

/// The embedded quickstart of ztwim-sim: the documentation's example CRs.
let private quickstart () =
    match ManifestReader.Read(File.ReadAllText(Ztwim.Specs.Repository.path "Host/Ztwim.Sim/quickstart.yaml")) with
    | Ok docs -> docs |> List.choose (Crs.parse >> Result.toOption) |> Operands.ofResources
    | Error e -> failwith e

[<MemoryDiagnoser; MedianColumn>]
type RenderBenchmarks() =
    let crs = quickstart ()
    let mode = Mode.defaults

    /// Every desired object of the four operands for the documentation's CRs.
    [<Benchmark>]
    member _.RenderAllOperands() = Operands.desired crs mode
