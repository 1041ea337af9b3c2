namespace Ztwim.Adapters; public static class Placeholder { }
