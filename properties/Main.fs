module Ztwim.Properties.Main

[<EntryPoint>]
let main _ = 0
