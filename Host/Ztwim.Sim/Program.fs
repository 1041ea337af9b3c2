module Ztwim.Sim.Program

[<EntryPoint>]
let main _ = 0
