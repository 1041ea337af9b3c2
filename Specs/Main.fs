module Ztwim.Specs.Main

[<EntryPoint>]
let main _ = 0
